package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// Resource-based policies of functions, versions and aliases. AddPermission builds each
// statement as Lambda does ("Granting function access to AWS services" and the
// AddPermission examples of the API Reference; the recorded TestLambdaPermissions answers):
//
//	{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},
//	 "Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:...:function:f",
//	 "Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::b"}}}
//
// An account id becomes {"AWS":"arn:aws:iam::<id>:root"} (in the request's partition), an ARN
// {"AWS":"<arn>"}, "*" stays "*". Condition keys come in Lambda's order: StringEquals with lambda:EventSourceToken,
// lambda:FunctionUrlAuthType, aws:PrincipalOrgID, AWS:SourceAccount; then ArnLike with
// AWS:SourceArn; then Bool with lambda:InvokedViaFunctionUrl. A policy and its RevisionId
// belong to the function ($LATEST), version or alias they were added to; adding or removing
// a statement gives that target a new revision.

var (
	servicePrincipal = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazon\.com|amazonaws\.com\.cn)$`)
	principalARN     = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:.+$`)
)

// principalJSON renders the Principal element of a statement, or "" when Lambda would refuse it;
// an account is named by its root in partition.
func principalJSON(partition, p string) string {
	switch {
	case p == "*":
		return `"*"`
	case arn.IsAccountID(p):
		return `{"AWS":` + jsonText(arn.Scope{Partition: partition, Account: p}.Root().String()) + `}`
	case principalARN.MatchString(p):
		return `{"AWS":` + jsonText(p) + `}`
	case servicePrincipal.MatchString(p):
		return `{"Service":` + jsonText(p) + `}`
	}
	return ""
}

// jsonText is s as a JSON string without HTML escaping, as AWS writes it.
func jsonText(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// statement builds the JSON statement AddPermission adds.
func statement(in *lambdaapi.AddPermissionRequest, principal, resource string) string {
	var b strings.Builder
	b.WriteString(`{"Sid":` + jsonText(str(in.StatementId)) + `,"Effect":"Allow","Principal":` + principal)
	b.WriteString(`,"Action":` + jsonText(str(in.Action)) + `,"Resource":` + jsonText(resource))
	type kv struct{ k, v string }
	var eq []kv
	add := func(k string, v *string) {
		if str(v) != "" {
			eq = append(eq, kv{k, *v})
		}
	}
	add("lambda:EventSourceToken", in.EventSourceToken)
	add("lambda:FunctionUrlAuthType", in.FunctionUrlAuthType)
	add("aws:PrincipalOrgID", in.PrincipalOrgID)
	add("AWS:SourceAccount", in.SourceAccount)
	var blocks []string
	if len(eq) > 0 {
		parts := make([]string, len(eq))
		for i, p := range eq {
			parts[i] = jsonText(p.k) + ":" + jsonText(p.v)
		}
		blocks = append(blocks, `"StringEquals":{`+strings.Join(parts, ",")+`}`)
	}
	if arn := str(in.SourceArn); arn != "" {
		blocks = append(blocks, `"ArnLike":{"AWS:SourceArn":`+jsonText(arn)+`}`)
	}
	if in.InvokedViaFunctionUrl != nil && *in.InvokedViaFunctionUrl {
		blocks = append(blocks, `"Bool":{"lambda:InvokedViaFunctionUrl":"true"}`)
	}
	if len(blocks) > 0 {
		b.WriteString(`,"Condition":{` + strings.Join(blocks, ",") + `}`)
	}
	b.WriteString("}")
	return b.String()
}

// policyDocument assembles the stored statements into the document GetPolicy returns.
func policyDocument(statements []string) string {
	return `{"Version":"2012-10-17","Id":"default","Statement":[` + strings.Join(statements, ",") + `]}`
}

// statementID reads the Sid of a stored statement.
func statementID(stmt string) string {
	var s struct{ Sid string }
	_ = json.Unmarshal([]byte(stmt), &s)
	return s.Sid
}

// policyTarget is the revision a policy of t belongs to, $LATEST's for the function itself,
// the version's or the alias's otherwise, and how to give that target a new one.
type policyTarget struct {
	revision string
	save     func(revision string) error
}

// loadPolicyTarget reads the target of t's policy; an unknown alias is "Cannot find alias arn:
// <arn>" and an unknown version "Function not found: <arn>" (recorded: test_permission_exceptions).
func loadPolicyTarget(tx *storage.Tx, t target, now time.Time) (policyTarget, error) {
	versions := storage.LambdaVersions(tx, t.name)
	q := t.qualifier
	if q != "" && !isVersionNumber(q) {
		aliases := storage.LambdaAliases(tx, t.name)
		a, err := aliases.Get(q)
		if isNotFound(err) {
			return policyTarget{}, lambdaapi.ErrResourceNotFound("Cannot find alias arn: %s", t.qualifiedARN())
		}
		return policyTarget{revision: a.RevisionID, save: func(r string) error {
			a.RevisionID = r
			return aliases.Put(q, a)
		}}, err
	}
	key := latest
	if q != "" {
		key = storage.LambdaVersionKey(q)
	}
	v, err := versions.Get(key)
	if isNotFound(err) {
		return policyTarget{}, notFound(t.qualifiedARN())
	}
	v = settled(v, now) // a function policy's RevisionId is its version's
	return policyTarget{revision: v.RevisionID, save: func(r string) error {
		v.RevisionID = r
		return versions.Put(key, v)
	}}, err
}

// AddPermission adds a statement to the resource-based policy of a function, version or
// alias (201); the answer is the statement as JSON text.
func (s *Service) AddPermission(ctx context.Context, in *lambdaapi.AddPermissionRequest) (*lambdaapi.AddPermissionResponse, error) {
	c := s.call(ctx)
	t, err := c.resolve(str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	if t.qualifier == latest {
		return nil, invalid("We currently do not support adding policies for $LATEST.")
	}
	principal := principalJSON(t.partition, str(in.Principal))
	if principal == "" {
		return nil, invalid("The provided principal was invalid. Please check the principal and try again.")
	}
	stmt := statement(in, principal, t.qualifiedARN())
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if _, err := loadFunction(tx, t, t.arn()); err != nil {
			return err
		}
		pt, err := loadPolicyTarget(tx, t, c.now)
		if err != nil {
			return err
		}
		if r := str(in.RevisionId); r != "" && r != pt.revision {
			return lambdaapi.ErrPreconditionFailed(msgPolicyRevision)
		}
		policies := storage.LambdaPolicies(tx, t.name)
		key := storage.LambdaPolicyKey(t.qualifier)
		pol, err := policies.Get(key)
		if err != nil && !isNotFound(err) {
			return err
		}
		for _, existing := range pol.Statements {
			if statementID(existing) == str(in.StatementId) {
				return lambdaapi.ErrResourceConflict("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", str(in.StatementId))
			}
		}
		pol.Statements = append(pol.Statements, stmt)
		if err := policies.Put(key, pol); err != nil {
			return err
		}
		return pt.save(s.revision())
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.AddPermissionResponse{Statement: ptr(stmt)}, nil
}

// RemovePermission removes a statement by Sid (204), deleting the policy with its last one.
func (s *Service) RemovePermission(ctx context.Context, in *lambdaapi.RemovePermissionRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	t, err := c.resolve(str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	sid := str(in.StatementId)
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if !storage.LambdaFunctions(tx).Has(t.name) {
			return lambdaapi.ErrResourceNotFound("No policy found for: %s", t.qualifiedARN())
		}
		pt, err := loadPolicyTarget(tx, t, c.now)
		if err != nil {
			return err
		}
		policies := storage.LambdaPolicies(tx, t.name)
		key := storage.LambdaPolicyKey(t.qualifier)
		pol, err := policies.Get(key)
		if isNotFound(err) || err == nil && len(pol.Statements) == 0 {
			return lambdaapi.ErrResourceNotFound("No policy is associated with the given resource.")
		}
		if err != nil {
			return err
		}
		if r := str(in.RevisionId); r != "" && r != pt.revision {
			return lambdaapi.ErrPreconditionFailed(msgPolicyRevision)
		}
		kept := pol.Statements[:0:0]
		for _, st := range pol.Statements {
			if statementID(st) != sid {
				kept = append(kept, st)
			}
		}
		if len(kept) == len(pol.Statements) {
			return lambdaapi.ErrResourceNotFound("Statement %s is not found in resource policy.", sid)
		}
		if len(kept) == 0 {
			err = policies.Delete(key)
		} else {
			pol.Statements = kept
			err = policies.Put(key, pol)
		}
		if err != nil {
			return err
		}
		return pt.save(s.revision())
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Empty{}, nil
}

// GetPolicy returns the resource-based policy of a function, version or alias with the
// revision of that target; none is "The resource you requested does not exist." (recorded).
func (s *Service) GetPolicy(ctx context.Context, in *lambdaapi.GetPolicyRequest) (*lambdaapi.GetPolicyResponse, error) {
	c := s.call(ctx)
	t, err := c.resolve(str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.GetPolicyResponse{}
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		if _, err := loadFunction(tx, t, t.arn()); err != nil {
			return err
		}
		pt, err := loadPolicyTarget(tx, t, c.now)
		if err != nil {
			return lambdaapi.ErrResourceNotFound(msgNoResource)
		}
		pol, err := storage.LambdaPolicies(tx, t.name).Get(storage.LambdaPolicyKey(t.qualifier))
		if isNotFound(err) || err == nil && len(pol.Statements) == 0 {
			return lambdaapi.ErrResourceNotFound(msgNoResource)
		}
		if err != nil {
			return err
		}
		out.Policy, out.RevisionId = ptr(policyDocument(pol.Statements)), ptr(pt.revision)
		return nil
	})
	return out, err
}

// FunctionPolicy returns the resource-based policy document of the function a (possibly
// qualified) function ARN designates, for the authorizer, which calls it inside its own read
// transaction: the policy of the version or alias when the ARN is qualified and one exists for
// that qualifier, else the function's own policy, "" when there is none. The function is read
// in the account and region its ARN names (functionTx): another account's function policy is
// what lets that account's function be reached across accounts.
func FunctionPolicy(tx *storage.Tx, functionARN string) (string, error) {
	ref, fnTx, ok := functionTx(tx, functionARN)
	if !ok {
		return "", nil
	}
	policies := storage.LambdaPolicies(fnTx, ref.Name)
	if q := ref.Qualifier; q != "" && q != latest {
		doc, err := policyText(policies, q)
		if err != nil || doc != "" {
			return doc, err
		}
	}
	return policyText(policies, "")
}

// policyText is the document of the policy stored for qualifier, "" when there is none.
func policyText(policies storage.Table[storage.LambdaPolicyRecord], qualifier string) (string, error) {
	pol, err := policies.Get(storage.LambdaPolicyKey(qualifier))
	if isNotFound(err) || err == nil && len(pol.Statements) == 0 {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return policyDocument(pol.Statements), nil
}

// FunctionTags returns the tags of the function a (possibly qualified) function ARN
// designates, for the authorizer's aws:ResourceTag/* keys; nil when it does not exist in the
// ARN's account and region.
func FunctionTags(tx *storage.Tx, functionARN string) (map[string]string, error) {
	ref, fnTx, ok := functionTx(tx, functionARN)
	if !ok {
		return nil, nil
	}
	fn, err := storage.LambdaFunctions(fnTx).Get(ref.Name)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return copyTags(fn.Tags), nil
}

// functionTx reads the function reference of the authorizer's hooks and returns tx scoped to
// the account and region the function lives in: the ARN's, or tx's own where the reference
// names none. The authorizer's transaction is the caller's; a function of another account is
// read in that account (the same read transaction, another account's buckets). ok is false
// when there is nothing to read: not a function name, or no region at all (the authorizer
// passes full ARNs, built by arn.ResolveFunction in the request's region).
func functionTx(tx *storage.Tx, functionARN string) (ref arn.FunctionRef, fnTx *storage.Tx, ok bool) {
	ref, err := ParseFunctionName(functionARN)
	if err != nil {
		return ref, nil, false
	}
	region := ref.Region
	if region == "" {
		region = tx.Region()
	}
	if region == "" {
		return ref, nil, false
	}
	if ref.Account != "" && ref.Account != tx.Account() {
		tx = tx.In(ref.Account)
	}
	return ref, tx.InRegion(region), true
}
