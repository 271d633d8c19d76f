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

// checkPolicyARN rejects a PolicyArn that is not an IAM policy ARN: ValidationError "ARN <x> is
// not valid." for a string that is no ARN at all (recorded AWS response to AttachRolePolicy
// with "longpolicynamebutnoarn"), InvalidInput with the same text for an ARN of something else
// (aws-samples/aws-cdk-examples#287).
func checkPolicyARN(partition, text string) error {
	a, err := arn.Parse(text)
	if err != nil {
		return awserr.Validation("ARN %s is not valid.", text)
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

func loadPolicyUsage(tx *storage.Tx) (policyUsage, error) {
	u := policyUsage{attached: map[string]int32{}, bounds: map[string]int32{}}
	err := storage.Attachments(tx).Scan("", func(_ string, a storage.AttachmentRecord) error {
		u.attached[a.PolicyARN]++
		return nil
	})
	if err != nil {
		return u, err
	}
	err = storage.Users(tx).Scan("", func(_ string, r storage.UserRecord) error {
		if r.Boundary != "" {
			u.bounds[r.Boundary]++
		}
		return nil
	})
	if err != nil {
		return u, err
	}
	err = storage.Roles(tx).Scan("", func(_ string, r storage.RoleRecord) error {
		if r.Boundary != "" {
			u.bounds[r.Boundary]++
		}
		return nil
	})
	return u, err
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
		return storage.PolicyVersions(tx).Insert(storage.Join(storage.Key(name), "v1"),
			storage.PolicyVersionRecord{V: 1, VersionID: "v1", Document: doc, Created: now})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out := wirePolicy(policyRef{local: rec}, policyUsage{}, 0)
	out.Tags = in.Tags // echoed in request order, and only when given
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
		u, err := loadPolicyUsage(tx)
		out = wirePolicy(p, u, policyWithDescription|policyWithTags)
		return err
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
		u, err := loadPolicyUsage(tx)
		if err != nil {
			return err
		}
		if u.attached[arn] > 0 || u.bounds[arn] > 0 {
			return iamapi.ErrDeleteConflict("Cannot delete a policy attached to entities.")
		}
		key := storage.Key(p.local.Name)
		if storage.PolicyVersions(tx).Count(storage.Prefix(key)) > 1 {
			return iamapi.ErrDeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		if err := storage.PolicyVersions(tx).DeletePrefix(storage.Prefix(key)); err != nil {
			return err
		}
		return storage.Policies(tx).Delete(key)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

// ListPolicies lists AWS managed and customer managed policies in ARN order (the account's
// own, arn:aws:iam::<digits>:..., before AWS's, arn:aws:iam::aws:...).
func (s *Service) ListPolicies(ctx context.Context, in *iamapi.ListPoliciesRequest) (*iamapi.ListPoliciesResponse, error) {
	scope, prefix := protocol.Val(in.Scope), pathOr(in.PathPrefix)
	usage := protocol.Val(in.PolicyUsageFilter)
	var u policyUsage
	var refs []policyRef
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		if u, err = loadPolicyUsage(tx); err != nil {
			return err
		}
		if scope == "AWS" {
			return nil
		}
		return storage.Policies(tx).Scan("", func(_ string, r storage.PolicyRecord) error {
			refs = append(refs, policyRef{local: r})
			return nil
		})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	sortRefs(refs)
	if scope != "Local" {
		partition := s.names(ctx).Partition
		for _, p := range awsmanaged.List("") {
			refs = append(refs, policyRef{aws: p, partition: partition})
		}
	}
	keep := refs[:0]
	for _, p := range refs {
		arn := p.arn()
		switch {
		case !strings.HasPrefix(p.path(), prefix),
			protocol.Val(in.OnlyAttached) && usage != "PermissionsBoundary" && u.attached[arn] == 0,
			usage == "PermissionsBoundary" && u.bounds[arn] == 0:
			continue
		}
		keep = append(keep, p)
	}
	pg, err := paginate(keep, policyRef.arn, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := make([]iamapi.Policy, 0, len(pg.Items))
	for _, p := range pg.Items {
		out = append(out, wirePolicy(p, u, 0))
	}
	return &iamapi.ListPoliciesResponse{Policies: out, IsTruncated: pg.IsTruncated(), Marker: pg.Marker}, nil
}

func sortRefs(refs []policyRef) {
	for i := 1; i < len(refs); i++ { // few local policies: insertion sort keeps this short
		for j := i; j > 0 && refs[j].arn() < refs[j-1].arn(); j-- {
			refs[j], refs[j-1] = refs[j-1], refs[j]
		}
	}
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
