package iam

import (
	"strconv"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// inlineOps drives Put/Get/Delete/List*Policy for one kind of entity.
type inlineOps struct {
	kind  string
	quota int
	make  func(e *rpEnv, name string)
	put   func(e *rpEnv, entity, policy, doc string) error
	get   func(e *rpEnv, entity, policy string) (name, doc *string, err error)
	del   func(e *rpEnv, entity, policy string) error
	list  func(e *rpEnv, entity string) ([]string, error)
}

var inlineKinds = []inlineOps{
	{kind: "user", quota: 2048, make: func(e *rpEnv, n string) { e.user(n) },
		put: func(e *rpEnv, n, p, d string) error {
			_, err := e.s.PutUserPolicy(e.ctx, &iamapi.PutUserPolicyRequest{UserName: &n, PolicyName: &p, PolicyDocument: &d})
			return err
		},
		get: func(e *rpEnv, n, p string) (*string, *string, error) {
			out, err := e.s.GetUserPolicy(e.ctx, &iamapi.GetUserPolicyRequest{UserName: &n, PolicyName: &p})
			if err != nil {
				return nil, nil, err
			}
			return out.UserName, out.PolicyDocument, nil
		},
		del: func(e *rpEnv, n, p string) error {
			_, err := e.s.DeleteUserPolicy(e.ctx, &iamapi.DeleteUserPolicyRequest{UserName: &n, PolicyName: &p})
			return err
		},
		list: func(e *rpEnv, n string) ([]string, error) {
			out, err := e.s.ListUserPolicies(e.ctx, &iamapi.ListUserPoliciesRequest{UserName: &n})
			if err != nil {
				return nil, err
			}
			return out.PolicyNames, nil
		}},
	{kind: "group", quota: 5120, make: func(e *rpEnv, n string) { e.group(n) },
		put: func(e *rpEnv, n, p, d string) error {
			_, err := e.s.PutGroupPolicy(e.ctx, &iamapi.PutGroupPolicyRequest{GroupName: &n, PolicyName: &p, PolicyDocument: &d})
			return err
		},
		get: func(e *rpEnv, n, p string) (*string, *string, error) {
			out, err := e.s.GetGroupPolicy(e.ctx, &iamapi.GetGroupPolicyRequest{GroupName: &n, PolicyName: &p})
			if err != nil {
				return nil, nil, err
			}
			return out.GroupName, out.PolicyDocument, nil
		},
		del: func(e *rpEnv, n, p string) error {
			_, err := e.s.DeleteGroupPolicy(e.ctx, &iamapi.DeleteGroupPolicyRequest{GroupName: &n, PolicyName: &p})
			return err
		},
		list: func(e *rpEnv, n string) ([]string, error) {
			out, err := e.s.ListGroupPolicies(e.ctx, &iamapi.ListGroupPoliciesRequest{GroupName: &n})
			if err != nil {
				return nil, err
			}
			return out.PolicyNames, nil
		}},
	{kind: "role", quota: 10240, make: func(e *rpEnv, n string) { e.role(n) },
		put: func(e *rpEnv, n, p, d string) error {
			_, err := e.s.PutRolePolicy(e.ctx, &iamapi.PutRolePolicyRequest{RoleName: &n, PolicyName: &p, PolicyDocument: &d})
			return err
		},
		get: func(e *rpEnv, n, p string) (*string, *string, error) {
			out, err := e.s.GetRolePolicy(e.ctx, &iamapi.GetRolePolicyRequest{RoleName: &n, PolicyName: &p})
			if err != nil {
				return nil, nil, err
			}
			return out.RoleName, out.PolicyDocument, nil
		},
		del: func(e *rpEnv, n, p string) error {
			_, err := e.s.DeleteRolePolicy(e.ctx, &iamapi.DeleteRolePolicyRequest{RoleName: &n, PolicyName: &p})
			return err
		},
		list: func(e *rpEnv, n string) ([]string, error) {
			out, err := e.s.ListRolePolicies(e.ctx, &iamapi.ListRolePoliciesRequest{RoleName: &n})
			if err != nil {
				return nil, err
			}
			return out.PolicyNames, nil
		}},
}

// sizedDoc is a valid policy document of exactly n characters without white space.
func sizedDoc(n int) string {
	head, tail := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`, `"}]}`
	return head + strings.Repeat("b", n-len(head)-len(tail)) + tail
}

func TestInlinePolicies(t *testing.T) {
	t.Parallel()
	for _, k := range inlineKinds {
		t.Run(k.kind, func(t *testing.T) {
			t.Parallel()
			e := newRPEnv(t)
			k.make(e, "Ent")
			rpOK(t, k.put(e, "ent", "zeta", rpDoc))
			rpOK(t, k.put(e, "ent", "alpha", rpDoc))
			name, doc, err := k.get(e, "ENT", "alpha")
			rpOK(t, err)
			if *name != "Ent" || decoded(t, doc) != rpDoc || !strings.HasPrefix(*doc, "%7B%22Version%22%3A%222012-10-17%22") {
				t.Errorf("get = %s %s", *name, *doc)
			}
			names, err := k.list(e, "ent")
			rpOK(t, err)
			if join(names) != "alpha,zeta" {
				t.Errorf("list = %v", names)
			}
			rpOK(t, k.del(e, "ent", "zeta"))
			rpWant(t, k.del(e, "ent", "zeta"), "NoSuchEntity", "The "+k.kind+" policy with name zeta cannot be found.")
			_, _, err = k.get(e, "ent", "zeta")
			rpWant(t, err, "NoSuchEntity", "The "+k.kind+" policy with name zeta cannot be found.")
			_, _, err = k.get(e, "ghost", "alpha")
			rpWant(t, err, "NoSuchEntity", "The "+k.kind+" with name ghost cannot be found.")
			rpWant(t, k.put(e, "ent", "bad", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}]}`),
				"MalformedPolicyDocument", "Policy document should not specify a principal.")

			// The quota counts every inline policy of the entity, white space excluded; a
			// replaced policy's old size no longer counts.
			rpOK(t, k.del(e, "ent", "alpha"))
			half := k.quota / 2
			rpOK(t, k.put(e, "ent", "one", sizedDoc(half)))
			rpOK(t, k.put(e, "ent", "two", sizedDoc(k.quota-half)))
			rpOK(t, k.put(e, "ent", "two", " "+sizedDoc(k.quota-half)+"\n"))
			rpWant(t, k.put(e, "ent", "two", sizedDoc(k.quota-half+1)), "LimitExceeded",
				"Maximum policy size of "+itoa(k.quota)+" bytes exceeded for "+k.kind+" Ent")
			names, _ = k.list(e, "ent")
			if join(names) != "one,two" {
				t.Errorf("list after quota = %v", names)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestListInlinePagination(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	e.role("r")
	for _, n := range []string{"c", "a", "b"} {
		_, err := e.s.PutRolePolicy(e.ctx, &iamapi.PutRolePolicyRequest{RoleName: protocol.Ptr("r"), PolicyName: protocol.Ptr(n), PolicyDocument: protocol.Ptr(rpDoc)})
		rpOK(t, err)
	}
	out, err := e.s.ListRolePolicies(e.ctx, &iamapi.ListRolePoliciesRequest{RoleName: protocol.Ptr("r"), MaxItems: protocol.Ptr(int32(2))})
	rpOK(t, err)
	if join(out.PolicyNames) != "a,b" || !*out.IsTruncated {
		t.Fatalf("page 1 = %+v", out)
	}
	out, err = e.s.ListRolePolicies(e.ctx, &iamapi.ListRolePoliciesRequest{RoleName: protocol.Ptr("r"), Marker: out.Marker})
	rpOK(t, err)
	if join(out.PolicyNames) != "c" || *out.IsTruncated || out.Marker != nil {
		t.Fatalf("page 2 = %+v", out)
	}
	e.role("empty")
	out, _ = e.s.ListRolePolicies(e.ctx, &iamapi.ListRolePoliciesRequest{RoleName: protocol.Ptr("empty")})
	if out.PolicyNames == nil {
		t.Error("PolicyNames is required: want an empty list")
	}
}
