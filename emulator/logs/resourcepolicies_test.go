package logs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
)

const route53Policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"route53.amazonaws.com"},"Action":"logs:PutLogEvents","Resource":"*"}]}`

// Account-scoped policies: put creates or replaces by name, up to 10 per region; the document
// must be JSON within 5120 characters; describe pages; delete names the policy.
func TestAccountResourcePolicies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		policy   string
		doc      string
		wantCode string
	}{
		{"valid", "p", route53Policy, ""},
		{"not JSON", "p", "{not json", "InvalidParameterException"},
		{"too long", "p", `{"a":"` + strings.Repeat("x", maxPolicyDocument) + `"}`, "InvalidParameterException"},
		{"no name", "", route53Policy, "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ctx := newService(t)
			out, err := s.PutResourcePolicy(ctx, &logsapi.PutResourcePolicyRequest{PolicyName: &tt.policy, PolicyDocument: &tt.doc})
			if code(err) != tt.wantCode {
				t.Fatalf("code %q, want %q", code(err), tt.wantCode)
			}
			if err == nil && (*out.ResourcePolicy.PolicyScope != "ACCOUNT" || *out.ResourcePolicy.LastUpdatedTime != now.UnixMilli() ||
				out.RevisionId != nil || out.ResourcePolicy.ResourceArn != nil) {
				t.Errorf("policy %+v", out.ResourcePolicy)
			}
		})
	}

	t.Run("limit, replace, paging and delete", func(t *testing.T) {
		t.Parallel()
		s, ctx := newService(t)
		for i := range maxAccountPolicies {
			if _, err := s.PutResourcePolicy(ctx, &logsapi.PutResourcePolicyRequest{PolicyName: protocol.Ptr(fmt.Sprint("p", i)), PolicyDocument: protocol.Ptr(route53Policy)}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := s.PutResourcePolicy(ctx, &logsapi.PutResourcePolicyRequest{PolicyName: protocol.Ptr("eleventh"), PolicyDocument: protocol.Ptr(route53Policy)})
		if code(err) != "LimitExceededException" || !strings.Contains(err.Error(), "Resource limit exceeded.") {
			t.Fatalf("11th policy: %v", err)
		}
		if _, err := s.PutResourcePolicy(ctx, &logsapi.PutResourcePolicyRequest{PolicyName: protocol.Ptr("p0"), PolicyDocument: protocol.Ptr("{}")}); err != nil {
			t.Fatalf("replacing at the limit: %v", err)
		}
		var names []string
		var token *string
		for {
			page, err := s.DescribeResourcePolicies(ctx, &logsapi.DescribeResourcePoliciesRequest{Limit: protocol.Ptr(int32(4)), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page.ResourcePolicies {
				names = append(names, *p.PolicyName)
				if *p.PolicyName == "p0" && *p.PolicyDocument != "{}" {
					t.Errorf("p0 not replaced: %s", *p.PolicyDocument)
				}
			}
			if token = page.NextToken; token == nil {
				break
			}
		}
		if len(names) != maxAccountPolicies {
			t.Errorf("paged %d policies: %v", len(names), names)
		}
		if _, err := s.DeleteResourcePolicy(ctx, &logsapi.DeleteResourcePolicyRequest{PolicyName: protocol.Ptr("p3")}); err != nil {
			t.Fatal(err)
		}
		_, err = s.DeleteResourcePolicy(ctx, &logsapi.DeleteResourcePolicyRequest{PolicyName: protocol.Ptr("p3")})
		if code(err) != "ResourceNotFoundException" || !strings.Contains(err.Error(), "Policy with name [p3] does not exist.") {
			t.Errorf("second delete: %v", err)
		}
	})
}

// A resource-scoped policy attaches to an existing log group and is revised: an update or
// delete must name the current revision.
func TestResourceScopedPolicies(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	if _, err := s.CreateLogGroup(ctx, &logsapi.CreateLogGroupRequest{LogGroupName: protocol.Ptr("g")}); err != nil {
		t.Fatal(err)
	}
	groupARN := "arn:aws:logs:us-east-1:123456789012:log-group:g"
	put := func(resource, expected string) (*logsapi.PutResourcePolicyResponse, error) {
		in := &logsapi.PutResourcePolicyRequest{PolicyName: protocol.Ptr("gp"), PolicyDocument: protocol.Ptr(route53Policy), ResourceArn: &resource}
		if expected != "" {
			in.ExpectedRevisionId = &expected
		}
		return s.PutResourcePolicy(ctx, in)
	}
	if _, err := put("arn:aws:logs:us-east-1:123456789012:log-group:missing", ""); code(err) != "ResourceNotFoundException" {
		t.Errorf("missing group: %v", err)
	}
	if _, err := put(groupARN, "7"); code(err) != "OperationAbortedException" {
		t.Errorf("revision on create: %v", err)
	}
	first, err := put(groupARN, "")
	if err != nil || first.RevisionId == nil || *first.ResourcePolicy.PolicyScope != "RESOURCE" || *first.ResourcePolicy.ResourceArn != groupARN {
		t.Fatalf("%v %+v", err, first)
	}
	if _, err := put(groupARN, ""); code(err) != "OperationAbortedException" {
		t.Errorf("update without revision: %v", err)
	}
	second, err := put(groupARN, *first.RevisionId)
	if err != nil || *second.RevisionId == *first.RevisionId {
		t.Fatalf("update: %v %+v", err, second)
	}
	list, err := s.DescribeResourcePolicies(ctx, &logsapi.DescribeResourcePoliciesRequest{PolicyScope: protocol.Ptr("RESOURCE")})
	if err != nil || len(list.ResourcePolicies) != 1 || *list.ResourcePolicies[0].RevisionId != *second.RevisionId {
		t.Fatalf("%v %+v", err, list)
	}
	if accounts, _ := s.DescribeResourcePolicies(ctx, &logsapi.DescribeResourcePoliciesRequest{}); len(accounts.ResourcePolicies) != 0 {
		t.Errorf("account scope lists %d resource policies", len(accounts.ResourcePolicies))
	}
	if _, err := s.DeleteResourcePolicy(ctx, &logsapi.DeleteResourcePolicyRequest{ResourceArn: &groupARN, ExpectedRevisionId: first.RevisionId}); code(err) != "OperationAbortedException" {
		t.Errorf("delete at a stale revision: %v", err)
	}
	if _, err := s.DeleteResourcePolicy(ctx, &logsapi.DeleteResourcePolicyRequest{ResourceArn: &groupARN, ExpectedRevisionId: second.RevisionId}); err != nil {
		t.Fatal(err)
	}
}
