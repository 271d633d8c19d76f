package logs

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Resource policies (API Reference, PutResourcePolicy, DescribeResourcePolicies,
// DeleteResourcePolicy): documents that let AWS services write to the account's log groups.
// iamlocal stores them as AWS does; no emulated service writes logs through them, so they
// decide nothing here. Two scopes: ACCOUNT policies are named, at most 10 per region; a
// RESOURCE policy is attached to one log group (resourceArn), one per group, and carries a
// revision id that an update or delete must name (expectedRevisionId), "to prevent
// concurrent modifications".
const (
	maxAccountPolicies = 10
	// maxPolicyDocument is the document's length limit of the API Reference (ResourcePolicy,
	// policyDocument: "Maximum length of 5120").
	maxPolicyDocument = 5120
	scopeAccount      = "ACCOUNT"
	scopeResource     = "RESOURCE"
)

// AWS's texts: "Resource limit exceeded." and "Policy with name [non-existent] does not
// exist." (LocalStack's AWS-validated snapshot test_logs_resource_policies.snapshot.json).
func policyLimit() error { return logsapi.ErrLimitExceeded("Resource limit exceeded.") }

func policyNotFound(name string) error {
	return logsapi.ErrResourceNotFound("Policy with name [%s] does not exist.", name)
}

// revisionConflict answers an expectedRevisionId that is not the policy's revision, with the
// text the API Reference gives OperationAbortedException.
func revisionConflict() error {
	return logsapi.ErrOperationAborted("Multiple concurrent requests to update the same resource were in conflict.")
}

// missing words an absent member as the service's validation does.
func missing(member string) error {
	return logsapi.ErrInvalidParameter("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

func (s *Service) PutResourcePolicy(ctx context.Context, in *logsapi.PutResourcePolicyRequest) (*logsapi.PutResourcePolicyResponse, error) {
	c := s.call(ctx)
	name, doc, resource := protocol.Val(in.PolicyName), protocol.Val(in.PolicyDocument), protocol.Val(in.ResourceArn)
	if in.PolicyDocument == nil {
		return nil, missing("policyDocument")
	}
	if len(doc) > maxPolicyDocument {
		return nil, logsapi.ErrInvalidParameter("1 validation error detected: Value '%s' at 'policyDocument' failed to satisfy constraint: Member must have length less than or equal to %d", doc, maxPolicyDocument)
	}
	if !json.Valid([]byte(doc)) {
		return nil, logsapi.ErrInvalidParameter("Policy document is not valid JSON.")
	}
	if resource == "" && name == "" {
		return nil, missing("policyName")
	}
	rec := storage.LogResourcePolicyRecord{V: 1, Name: name, Document: doc, Updated: c.now.UnixMilli()}
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		policies := storage.LogResourcePolicies(tx)
		if resource != "" {
			key, err := c.resourcePolicyKey(tx, resource)
			if err != nil {
				return err
			}
			return putRevised(policies, key, protocol.Val(in.ExpectedRevisionId), &rec, resource)
		}
		key := storage.LogAccountPolicyKey(c.region, name)
		if !policies.Has(key) {
			n, err := countPrefix(policies, storage.LogAccountPolicyKey(c.region, ""))
			if err != nil {
				return err
			}
			if n >= maxAccountPolicies {
				return policyLimit()
			}
		}
		return policies.Put(key, rec)
	})
	if err != nil {
		return nil, err
	}
	out := &logsapi.PutResourcePolicyResponse{ResourcePolicy: protocol.Ptr(resourcePolicy(rec))}
	if rec.Revision != "" {
		out.RevisionId = protocol.Ptr(rec.Revision)
	}
	return out, nil
}

// resourcePolicyKey checks that resource names an existing log group of the caller's account
// and region (the only resource a policy attaches to) and returns its policy's key.
func (c call) resourcePolicyKey(tx *storage.Tx, resource string) (string, error) {
	a, err := arn.Parse(resource)
	if err != nil || a.Service != "logs" || a.Account != c.account || a.Region != c.region {
		return "", logsapi.ErrInvalidParameter("Invalid resourceArn: %s", resource)
	}
	if !storage.LogGroups(tx).Has(storage.LogGroupKey(c.region, arn.LogGroupOf(resource))) {
		return "", groupNotFound()
	}
	return storage.LogResourceScopedPolicyKey(c.region, c.scope().LogGroup(arn.LogGroupOf(resource)).String()), nil
}

// putRevised writes a resource-scoped policy whose current revision is expected (none when it
// is new) and gives it the next revision.
func putRevised(policies storage.Table[storage.LogResourcePolicyRecord], key, expected string, rec *storage.LogResourcePolicyRecord, resource string) error {
	old, err := policies.Get(key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		if expected != "" {
			return revisionConflict()
		}
	case err != nil:
		return err
	case expected != old.Revision:
		return revisionConflict()
	}
	seq, err := policies.NextSequence()
	if err != nil {
		return err
	}
	rec.ResourceARN, rec.Revision = resource, strconv.FormatUint(seq, 10)
	return policies.Put(key, *rec)
}

func countPrefix[T any](t storage.Table[T], prefix string) (int, error) {
	n := 0
	err := t.Scan(prefix, func(string, T) error { n++; return nil })
	return n, err
}

func resourcePolicy(r storage.LogResourcePolicyRecord) logsapi.ResourcePolicy {
	p := logsapi.ResourcePolicy{PolicyDocument: protocol.Ptr(r.Document), LastUpdatedTime: protocol.Ptr(r.Updated),
		PolicyScope: protocol.Ptr(scopeAccount)}
	if r.Name != "" {
		p.PolicyName = protocol.Ptr(r.Name)
	}
	if r.ResourceARN != "" {
		p.PolicyScope, p.ResourceArn, p.RevisionId = protocol.Ptr(scopeResource), protocol.Ptr(r.ResourceARN), protocol.Ptr(r.Revision)
	}
	return p
}

// DescribeResourcePolicies lists one scope's policies in key order: the ACCOUNT scope unless
// policyScope says RESOURCE or a resourceArn names the group whose policy to return; limit
// 1-50, default 50.
func (s *Service) DescribeResourcePolicies(ctx context.Context, in *logsapi.DescribeResourcePoliciesRequest) (*logsapi.DescribeResourcePoliciesResponse, error) {
	c := s.call(ctx)
	limit := limitOr(in.Limit, 50)
	offset, err := decodeOffset(protocol.Val(in.NextToken))
	if err != nil {
		return nil, err
	}
	resource := protocol.Val(in.ResourceArn)
	prefix := storage.LogAccountPolicyKey(c.region, "")
	if protocol.Val(in.PolicyScope) == scopeResource || resource != "" {
		prefix = storage.LogResourceScopedPolicyKey(c.region, "")
	}
	var all []storage.LogResourcePolicyRecord
	err = s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		if resource != "" {
			key, err := c.resourcePolicyKey(tx, resource)
			if err != nil {
				return err
			}
			prefix = key
		}
		return storage.LogResourcePolicies(tx).Scan(prefix, func(_ string, r storage.LogResourcePolicyRecord) error {
			all = append(all, r)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	out := &logsapi.DescribeResourcePoliciesResponse{}
	out.ResourcePolicies, out.NextToken = offsetPage(all, offset, limit, resourcePolicy)
	return out, nil
}

// DeleteResourcePolicy deletes an account policy by name, or a group's policy by its
// resourceArn at the revision expected.
func (s *Service) DeleteResourcePolicy(ctx context.Context, in *logsapi.DeleteResourcePolicyRequest) (*logsapi.Empty, error) {
	c := s.call(ctx)
	name, resource := protocol.Val(in.PolicyName), protocol.Val(in.ResourceArn)
	if resource == "" && name == "" {
		return nil, missing("policyName")
	}
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		policies := storage.LogResourcePolicies(tx)
		if resource == "" {
			if err := policies.Delete(storage.LogAccountPolicyKey(c.region, name)); errors.Is(err, storage.ErrNotFound) {
				return policyNotFound(name)
			} else if err != nil {
				return err
			}
			return nil
		}
		key, err := c.resourcePolicyKey(tx, resource)
		if err != nil {
			return err
		}
		old, err := policies.Get(key)
		if errors.Is(err, storage.ErrNotFound) {
			return policyNotFound(name)
		} else if err != nil {
			return err
		}
		if e := protocol.Val(in.ExpectedRevisionId); e != "" && e != old.Revision {
			return revisionConflict()
		}
		return policies.Delete(key)
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.Empty{}, nil
}
