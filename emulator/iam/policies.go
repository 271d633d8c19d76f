package iam

import (
	"context"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/iam/awsmanaged"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Managed policy quotas (IAM User Guide, "IAM and AWS STS quotas"): 6144 characters without
// white space, 5 versions. The LimitExceeded texts are AWS's: the version text is recorded in
// LocalStack's IAM parity snapshot test_policy_version_limit, the size text ("Cannot exceed
// quota for PolicySize: 6144") is widely quoted from Terraform and CloudFormation failures.
const (
	maxManagedPolicySize = 6144
	maxPolicyVersions    = 5
)

// policyRef is a managed policy found by ARN: an AWS managed one (named in partition), or the
// account's own.
type policyRef struct {
	aws       *awsmanaged.Policy
	partition string
	local     storage.PolicyRecord
}

func (p policyRef) arn() string {
	if p.aws != nil {
		return p.aws.ARN(p.partition)
	}
	return p.local.ARN
}

func (p policyRef) name() string {
	if p.aws != nil {
		return p.aws.Name
	}
	return p.local.Name
}

func (p policyRef) path() string {
	if p.aws != nil {
		return p.aws.Path
	}
	return p.local.Path
}

// checkPolicyARN rejects a PolicyArn that is not an IAM policy ARN: ValidationError "Invalid
// ARN:  Could not be parsed!" (two spaces) for a string that is no ARN at all, InvalidInput
// "ARN <x> is not valid." for an ARN of something else (aws-samples/aws-cdk-examples#287).
// The first is what AWS answered AttachRolePolicy and AttachUserPolicy given
// "longpolicynamebutnoarn" or a bare policy name (LocalStack test_iam.snapshot.json
// test_role_attach_policy and test_user_attach_policy, recorded 2025-06-19; an earlier
// recording had "ARN <x> is not valid."), and GetPolicy given a policy path (CloudFormation's
// AWS::IAM::ManagedPolicy handler quoting IAM: "Invalid ARN:  Could not be parsed! (Service:
// Iam, Status Code: 400)"). Permissions boundaries answer otherwise (boundaryExists).
func checkPolicyARN(partition, text string) error {
	a, err := arn.Parse(text)
	if err != nil {
		return errUnparsableARN()
	}
	if a.Partition != partition || a.Service != "iam" || a.Region != "" ||
		!strings.HasPrefix(a.Resource, "policy/") || strings.Count(a.Resource, ":") > 0 {
		return iamapi.ErrInvalidInput("ARN %s is not valid.", text)
	}
	return nil
}

// findPolicy resolves a managed policy ARN in the transaction's account (names' account).
func findPolicy(tx *storage.Tx, names arn.Scope, text string) (policyRef, bool, error) {
	if awsmanaged.IsAWSManaged(names.Partition, text) {
		p, ok := awsmanaged.Get(names.Partition, text)
		return policyRef{aws: p, partition: names.Partition}, ok, nil
	}
	a, err := arn.Parse(text)
	if kind, _, _, ok := arn.SplitIAMResource(a.Resource); err != nil || !a.InIAM(names) || !ok || kind != "policy" {
		return policyRef{}, false, nil
	}
	rec, err := storage.Policies(tx).Get(storage.Key(text[strings.LastIndex(text, "/")+1:]))
	if isNotFound(err) || err == nil && rec.ARN != text {
		return policyRef{}, false, nil
	}
	if err != nil {
		return policyRef{}, false, err
	}
	return policyRef{local: rec}, true, nil
}

func policyNotFound(arn string) error {
	return iamapi.ErrNoSuchEntity("Policy %s was not found.", arn)
}

// getPolicy finds a policy for the operations that answer "Policy <arn> was not found.".
func getPolicy(tx *storage.Tx, names arn.Scope, policyARN string) (policyRef, error) {
	if err := checkPolicyARN(names.Partition, policyARN); err != nil {
		return policyRef{}, err
	}
	p, found, err := findPolicy(tx, names, policyARN)
	if err == nil && !found {
		err = policyNotFound(policyARN)
	}
	return p, err
}

// awsPolicyDenied answers a change to an AWS managed policy. Those policies belong to the
// account "aws", so IAM treats the change as a cross-account write that no resource-based
// policy allows (IAM User Guide, "Troubleshoot access denied error messages").
func (s *Service) awsPolicyDenied(ctx context.Context, op, policyARN string) error {
	caller := reqctx.From(ctx).Caller.ARN
	if caller == "" {
		caller = s.names(ctx).Root().String()
	}
	return awserr.New("AccessDenied", 403, true,
		"User: %s is not authorized to perform: iam:%s on resource: policy %s because no resource-based policy allows the iam:%s action",
		caller, op, policyARN, op)
}

// policyUsage counts, per policy ARN, the entities it is attached to and those it bounds.
type policyUsage struct {
	attached map[string]int32
	bounds   map[string]int32
}

// usageOf reads the counts of the given policies (those an answer reports) from the policy use
// index, which costs one short scan per policy whatever the size of the account.
func usageOf(tx *storage.Tx, arns ...string) policyUsage {
	u := policyUsage{attached: make(map[string]int32, len(arns)), bounds: make(map[string]int32, len(arns))}
	use := storage.PolicyUsage(tx)
	for _, arn := range arns {
		u.attached[arn] = int32(use.Count(arn, storage.UseAttached))
		u.bounds[arn] = int32(use.Count(arn, storage.UseBoundary))
	}
	return u
}

// policyView selects the members an operation returns (recorded AWS responses: CreatePolicy
// omits Description, ListPolicies omits Description and Tags, GetPolicy always has Tags).
type policyView uint8

const (
	policyWithDescription policyView = 1 << iota
	policyWithTags
)

func wirePolicy(p policyRef, u policyUsage, v policyView) iamapi.Policy {
	out := iamapi.Policy{
		Arn:                           protocol.Ptr(p.arn()),
		AttachmentCount:               protocol.Ptr(u.attached[p.arn()]),
		IsAttachable:                  protocol.Ptr(true),
		Path:                          protocol.Ptr(p.path()),
		PermissionsBoundaryUsageCount: protocol.Ptr(u.bounds[p.arn()]),
		PolicyName:                    protocol.Ptr(p.name()),
	}
	var desc string
	var tags []storage.Tag
	if a := p.aws; a != nil {
		out.CreateDate, out.UpdateDate = protocol.Ptr(a.Created), protocol.Ptr(a.Updated)
		out.DefaultVersionId, out.PolicyId = protocol.Ptr(a.DefaultVersionID), protocol.Ptr(a.ID)
		desc = a.Description
	} else {
		l := p.local
		out.CreateDate, out.UpdateDate = protocol.Ptr(l.Created), protocol.Ptr(l.Updated)
		out.DefaultVersionId, out.PolicyId = protocol.Ptr(l.DefaultVersion), protocol.Ptr(l.ID)
		desc, tags = l.Description, l.Tags
	}
	if v&policyWithDescription != 0 && desc != "" {
		out.Description = protocol.Ptr(desc)
	}
	if v&policyWithTags != 0 {
		out.Tags = tagsAlways(tags)
	}
	return out
}

func (s *Service) CreatePolicy(ctx context.Context, in *iamapi.CreatePolicyRequest) (*iamapi.CreatePolicyResponse, error) {
	name, doc := protocol.Val(in.PolicyName), protocol.Val(in.PolicyDocument)
	if err := checkManagedDocument(s.names(ctx), doc); err != nil {
		return nil, err
	}
	tags, err := policyTagRules.merge(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	now, path := s.now(ctx), pathOr(in.Path)
	rec := storage.PolicyRecord{
		V: 1, Name: name, Path: path, ARN: s.names(ctx).Policy(path, name).String(),
		Description: protocol.Val(in.Description), Created: now, Updated: now,
		DefaultVersion: "v1", NextVersion: 2, Tags: tags,
	}
	err = s.update(ctx, func(tx *storage.Tx) error {
		if storage.Policies(tx).Has(storage.Key(name)) {
			return iamapi.ErrEntityAlreadyExists("A policy called %s already exists. Duplicate names are not allowed.", name)
		}
		rec.ID = s.ids.UniqueID("ANPA")
		if err := storage.Policies(tx).Insert(storage.Key(name), rec); err != nil {
			return err
		}
		return storage.PolicyVersionsOf(tx, name).Insert("v1", storage.PolicyVersionRecord{V: 1, VersionID: "v1", Document: doc, Created: now})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out := wirePolicy(policyRef{local: rec}, policyUsage{}, 0)
	out.Tags = in.Tags // echoed in request order, and only when given
	s.noteStored(ctx, rec.ARN, doc)
	return &iamapi.CreatePolicyResponse{Policy: &out}, nil
}

// checkManagedDocument validates a managed policy document's grammar, then its size.
func checkManagedDocument(names arn.Scope, doc string) error {
	if err := validateManagedPolicy(names, doc); err != nil {
		return err
	}
	if policySize(doc) > maxManagedPolicySize {
		return iamapi.ErrLimitExceeded("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	return nil
}

func (s *Service) GetPolicy(ctx context.Context, in *iamapi.GetPolicyRequest) (*iamapi.GetPolicyResponse, error) {
	var out iamapi.Policy
	err := s.view(ctx, func(tx *storage.Tx) error {
		p, err := getPolicy(tx, s.names(ctx), protocol.Val(in.PolicyArn))
		if err != nil {
			return err
		}
		out = wirePolicy(p, usageOf(tx, p.arn()), policyWithDescription|policyWithTags)
		return nil
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.GetPolicyResponse{Policy: &out}, nil
}

// DeletePolicy refuses a policy still attached or used as a permissions boundary ("Cannot delete
// a policy attached to entities.": the console and API refuse both, gruntwork-io/cloud-nuke#972)
// and one with versions besides the default (rebuy-de/aws-nuke#1).
func (s *Service) DeletePolicy(ctx context.Context, in *iamapi.DeletePolicyRequest) (*iamapi.Empty, error) {
	arn := protocol.Val(in.PolicyArn)
	err := s.update(ctx, func(tx *storage.Tx) error {
		p, err := getPolicy(tx, s.names(ctx), arn)
		if err != nil {
			return err
		}
		if p.aws != nil {
			return s.awsPolicyDenied(ctx, "DeletePolicy", arn)
		}
		if u := usageOf(tx, arn); u.attached[arn] > 0 || u.bounds[arn] > 0 {
			return iamapi.ErrDeleteConflict("Cannot delete a policy attached to entities.")
		}
		versions := storage.PolicyVersionsOf(tx, p.local.Name)
		if versions.Count() > 1 {
			return iamapi.ErrDeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		if err := versions.DeleteAll(); err != nil {
			return err
		}
		return storage.Policies(tx).Delete(storage.Key(p.local.Name))
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

// ListPolicies lists AWS managed and customer managed policies in ARN order (the account's
// own, arn:aws:iam::<digits>:..., before AWS's, arn:aws:iam::aws:...).
func (s *Service) ListPolicies(ctx context.Context, in *iamapi.ListPoliciesRequest) (*iamapi.ListPoliciesResponse, error) {
	q := policyQuery{names: s.names(ctx), scope: protocol.Val(in.Scope), pathPrefix: pathOr(in.PathPrefix)}
	switch {
	case protocol.Val(in.PolicyUsageFilter) == "PermissionsBoundary":
		q.inUse, q.use = true, storage.UseBoundary
	case protocol.Val(in.OnlyAttached):
		q.inUse, q.use = true, storage.UseAttached
	}
	var pg page[policyRef]
	var u policyUsage
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		pg, err = readPage(in.Marker, in.MaxItems, func(from string, limit int) (storage.Page[policyRef], error) {
			return q.page(tx, from, limit)
		})
		arns := make([]string, 0, len(pg.Items))
		for _, p := range pg.Items {
			arns = append(arns, p.arn())
		}
		u = usageOf(tx, arns...)
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out := make([]iamapi.Policy, 0, len(pg.Items))
	for _, p := range pg.Items {
		out = append(out, wirePolicy(p, u, 0))
	}
	return &iamapi.ListPoliciesResponse{Policies: out, IsTruncated: pg.IsTruncated(), Marker: pg.Marker}, nil
}

// policyQuery selects the policies of a ListPolicies answer.
type policyQuery struct {
	names      arn.Scope // the account and partition listed
	scope      string    // All (or ""), AWS or Local
	pathPrefix string
	inUse      bool        // only the policies some entity uses as use
	use        storage.Use // OnlyAttached: attached; PolicyUsageFilter PermissionsBoundary: boundary
}

// page reads one page of the selection from the policy ARN from on. It reads only what the page
// holds: the account's policies through the ARN index, AWS's by binary search of their sorted
// list, and a selection of policies in use through the policy use index, which lists used
// policies only. Every source is narrowed to the ARNs that PathPrefix allows.
func (q policyQuery) page(tx *storage.Tx, from string, limit int) (storage.Page[policyRef], error) {
	var out storage.Page[policyRef]
	add := func(p policyRef) bool { // false once the page is full
		if !strings.HasPrefix(p.path(), q.pathPrefix) {
			return true
		}
		if len(out.Rows) == limit {
			out.Truncated, out.Next = true, p.arn()
			return false
		}
		out.Rows = append(out.Rows, storage.Row[policyRef]{Key: p.arn(), Value: p})
		return true
	}
	if q.scope != "AWS" {
		more, err := q.local(tx, from, add)
		if err != nil || !more {
			return out, err
		}
	}
	if q.scope != "Local" {
		_, err := q.awsManaged(tx, from, add)
		return out, err
	}
	return out, nil
}

// local feeds add the account's policies from the ARN from on; false when add had enough.
func (q policyQuery) local(tx *storage.Tx, from string, add func(policyRef) bool) (bool, error) {
	prefix := q.names.Policy(q.pathPrefix, "").String() // pathPrefix starts with "/"
	start, ok := seekWithin(prefix, from)
	if !ok {
		return true, nil
	}
	if q.inUse {
		return q.used(tx, prefix, start, add)
	}
	more := true
	err := storage.PoliciesByARN(tx, prefix).Walk(start, func(_ string, r storage.PolicyRecord) (bool, error) {
		more = add(policyRef{local: r})
		return more, nil
	})
	return more, err
}

// used feeds add the policies under prefix that some entity uses as q.use, from start on,
// through the policy use index.
func (q policyQuery) used(tx *storage.Tx, prefix, start string, add func(policyRef) bool) (bool, error) {
	more := true
	err := storage.PolicyUsage(tx).Policies(q.use, prefix, start, func(arn string) (bool, error) {
		p, found, err := findPolicy(tx, q.names, arn)
		if err == nil && found {
			more = add(p)
		}
		return more, err
	})
	return more, err
}

// awsManaged feeds add the AWS managed policies from the ARN from on.
func (q policyQuery) awsManaged(tx *storage.Tx, from string, add func(policyRef) bool) (bool, error) {
	prefix := awsmanaged.Prefix(q.names.Partition) + q.pathPrefix
	start, ok := seekWithin(prefix, from)
	if !ok {
		return true, nil
	}
	if q.inUse {
		return q.used(tx, prefix, start, add)
	}
	more := true
	for _, p := range awsmanaged.From(q.names.Partition, prefix+start) {
		if !strings.HasPrefix(p.ARN(q.names.Partition), prefix) {
			break
		}
		if more = add(policyRef{aws: p, partition: q.names.Partition}); !more {
			break
		}
	}
	return more, nil
}

// seekWithin is where a listing of the keys starting with prefix resumes at key from: the rest
// of from after the prefix, or the start when from sorts before every such key; ok is false when
// from sorts after them all.
func seekWithin(prefix, from string) (start string, ok bool) {
	switch {
	case strings.HasPrefix(from, prefix):
		return from[len(prefix):], true
	case from < prefix:
		return "", true
	}
	return "", false
}

// changeLocalPolicy runs fn on a customer managed policy inside one transaction and stores it;
// op names the operation for the AccessDenied answered for AWS managed policies.
func (s *Service) changeLocalPolicy(ctx context.Context, op, arn string, fn func(tx *storage.Tx, p *storage.PolicyRecord) error) error {
	return asAWS(s.update(ctx, func(tx *storage.Tx) error {
		p, err := getPolicy(tx, s.names(ctx), arn)
		if err != nil {
			return err
		}
		if p.aws != nil {
			return s.awsPolicyDenied(ctx, op, arn)
		}
		if err := fn(tx, &p.local); err != nil {
			return err
		}
		return storage.Policies(tx).Put(storage.Key(p.local.Name), p.local)
	}))
}

// Tagging an AWS managed policy answers InvalidInput "Tags not supported for policies in this
// domain" (aws-controllers-k8s/community#2774).
func (s *Service) tagPolicy(ctx context.Context, arn string, fn func(*storage.PolicyRecord) error) error {
	return asAWS(s.update(ctx, func(tx *storage.Tx) error {
		p, err := getPolicy(tx, s.names(ctx), arn)
		if err != nil {
			return err
		}
		if p.aws != nil {
			return iamapi.ErrInvalidInput("Tags not supported for policies in this domain")
		}
		if err := fn(&p.local); err != nil {
			return err
		}
		return storage.Policies(tx).Put(storage.Key(p.local.Name), p.local)
	}))
}

func (s *Service) TagPolicy(ctx context.Context, in *iamapi.TagPolicyRequest) (*iamapi.Empty, error) {
	err := s.tagPolicy(ctx, protocol.Val(in.PolicyArn), func(p *storage.PolicyRecord) (err error) {
		p.Tags, err = policyTagRules.merge(p.Tags, in.Tags)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) UntagPolicy(ctx context.Context, in *iamapi.UntagPolicyRequest) (*iamapi.Empty, error) {
	err := s.tagPolicy(ctx, protocol.Val(in.PolicyArn), func(p *storage.PolicyRecord) error {
		p.Tags = policyTagRules.remove(p.Tags, in.TagKeys)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// ListPolicyTags of an AWS managed policy is empty, as GetPolicy shows its Tags.
func (s *Service) ListPolicyTags(ctx context.Context, in *iamapi.ListPolicyTagsRequest) (*iamapi.ListPolicyTagsResponse, error) {
	p, err := s.listTags(ctx, policyTagRules, in.Marker, in.MaxItems, func(tx *storage.Tx) ([]storage.Tag, error) {
		p, err := getPolicy(tx, s.names(ctx), protocol.Val(in.PolicyArn))
		return p.local.Tags, err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListPolicyTagsResponse{Tags: p.Items, IsTruncated: p.IsTruncated(), Marker: p.Marker}, nil
}
