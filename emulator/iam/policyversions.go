package iam

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Managed policy versions (IAM User Guide, "Versioning IAM policies"). Version texts are those
// of recorded AWS responses (LocalStack IAM parity snapshot test_policy_version_errors).

func noSuchVersion(arn, id string) error {
	return iamapi.ErrNoSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, id)
}

// versionNumber is N of "vN" (0 for ids iamlocal never issues).
func versionNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "v"))
	return n
}

// versionKey orders versions newest first, as ListPolicyVersions answers.
func versionKey(v iamapi.PolicyVersion) string {
	return fmt.Sprintf("%010d", 1<<30-versionNumber(protocol.Val(v.VersionId)))
}

// policyVersions returns a policy's versions, newest first. An AWS managed policy has one: its
// default version, created when the policy was last updated.
func policyVersions(tx *storage.Tx, p policyRef, withDocs bool) ([]iamapi.PolicyVersion, error) {
	doc := func(d string) *string {
		if withDocs {
			return protocol.Ptr(encodeDocument(d))
		}
		return nil
	}
	if a := p.aws; a != nil {
		return []iamapi.PolicyVersion{{VersionId: protocol.Ptr(a.DefaultVersionID), IsDefaultVersion: protocol.Ptr(true),
			CreateDate: protocol.Ptr(a.Updated), Document: doc(a.Document)}}, nil
	}
	// At most maxPolicyVersions: reading them all and sorting is reading one page.
	versions, err := storage.PolicyVersionsOf(tx, p.local.Name).List()
	out := make([]iamapi.PolicyVersion, 0, len(versions))
	for _, v := range versions {
		out = append(out, iamapi.PolicyVersion{VersionId: protocol.Ptr(v.VersionID), CreateDate: protocol.Ptr(v.Created),
			IsDefaultVersion: protocol.Ptr(v.VersionID == p.local.DefaultVersion), Document: doc(v.Document)})
	}
	sortVersions(out)
	return out, err
}

func sortVersions(vs []iamapi.PolicyVersion) {
	for i := 1; i < len(vs); i++ {
		for j := i; j > 0 && versionKey(vs[j]) < versionKey(vs[j-1]); j-- {
			vs[j], vs[j-1] = vs[j-1], vs[j]
		}
	}
}

func (s *Service) CreatePolicyVersion(ctx context.Context, in *iamapi.CreatePolicyVersionRequest) (*iamapi.CreatePolicyVersionResponse, error) {
	doc := protocol.Val(in.PolicyDocument)
	var v storage.PolicyVersionRecord
	err := s.changeLocalPolicy(ctx, "CreatePolicyVersion", protocol.Val(in.PolicyArn), func(tx *storage.Tx, p *storage.PolicyRecord) error {
		if err := checkManagedDocument(s.names(ctx), doc); err != nil {
			return err
		}
		versions := storage.PolicyVersionsOf(tx, p.Name)
		if versions.Count() >= maxPolicyVersions {
			return iamapi.ErrLimitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		now := s.now(ctx)
		v = storage.PolicyVersionRecord{V: 1, VersionID: fmt.Sprintf("v%d", p.NextVersion), Document: doc, Created: now}
		p.NextVersion++
		if protocol.Val(in.SetAsDefault) {
			p.DefaultVersion, p.Updated = v.VersionID, now
		}
		return versions.Insert(v.VersionID, v)
	})
	if err != nil {
		return nil, err
	}
	s.noteStored(ctx, protocol.Val(in.PolicyArn)+" "+v.VersionID, doc)
	return &iamapi.CreatePolicyVersionResponse{PolicyVersion: &iamapi.PolicyVersion{
		VersionId: protocol.Ptr(v.VersionID), CreateDate: protocol.Ptr(v.Created),
		IsDefaultVersion: protocol.Ptr(protocol.Val(in.SetAsDefault)),
	}}, nil
}

func (s *Service) GetPolicyVersion(ctx context.Context, in *iamapi.GetPolicyVersionRequest) (*iamapi.GetPolicyVersionResponse, error) {
	arn, id := protocol.Val(in.PolicyArn), protocol.Val(in.VersionId)
	var out iamapi.PolicyVersion
	err := s.view(ctx, func(tx *storage.Tx) error {
		if err := checkPolicyARN(s.names(ctx).Partition, arn); err != nil {
			return err
		}
		p, found, err := findPolicy(tx, s.names(ctx), arn)
		if err != nil || !found {
			return orNotFound(err, noSuchVersion(arn, id))
		}
		vs, err := policyVersions(tx, p, true)
		for _, v := range vs {
			if protocol.Val(v.VersionId) == id {
				out = v
				return err
			}
		}
		return orNotFound(err, noSuchVersion(arn, id))
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.GetPolicyVersionResponse{PolicyVersion: &out}, nil
}

// orNotFound is err when there is one, else the not-found answer.
func orNotFound(err, notFound error) error {
	if err != nil {
		return err
	}
	return notFound
}

func (s *Service) ListPolicyVersions(ctx context.Context, in *iamapi.ListPolicyVersionsRequest) (*iamapi.ListPolicyVersionsResponse, error) {
	var vs []iamapi.PolicyVersion
	err := s.view(ctx, func(tx *storage.Tx) error {
		p, err := getPolicy(tx, s.names(ctx), protocol.Val(in.PolicyArn))
		if err != nil {
			return err
		}
		vs, err = policyVersions(tx, p, false)
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	pg, err := paginate(vs, versionKey, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListPolicyVersionsResponse{Versions: append([]iamapi.PolicyVersion{}, pg.Items...),
		IsTruncated: pg.IsTruncated(), Marker: pg.Marker}, nil
}

// versionChange resolves a policy version for DeletePolicyVersion and SetDefaultPolicyVersion,
// which answer a missing policy and a missing version alike.
func (s *Service) versionChange(ctx context.Context, op, arn, id string, fn func(p *storage.PolicyRecord, versions storage.Children[storage.PolicyVersionRecord]) error) error {
	err := s.changeLocalPolicy(ctx, op, arn, func(tx *storage.Tx, p *storage.PolicyRecord) error {
		versions := storage.PolicyVersionsOf(tx, p.Name)
		if !versions.Has(id) {
			return noSuchVersion(arn, id)
		}
		return fn(p, versions)
	})
	if e, ok := awserr.As(err); ok && e.Code == "NoSuchEntity" {
		return noSuchVersion(arn, id)
	}
	return err
}

func (s *Service) DeletePolicyVersion(ctx context.Context, in *iamapi.DeletePolicyVersionRequest) (*iamapi.Empty, error) {
	id := protocol.Val(in.VersionId)
	err := s.versionChange(ctx, "DeletePolicyVersion", protocol.Val(in.PolicyArn), id, func(p *storage.PolicyRecord, versions storage.Children[storage.PolicyVersionRecord]) error {
		if p.DefaultVersion == id {
			return iamapi.ErrDeleteConflict("Cannot delete the default version of a policy.")
		}
		return versions.Delete(id)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) SetDefaultPolicyVersion(ctx context.Context, in *iamapi.SetDefaultPolicyVersionRequest) (*iamapi.Empty, error) {
	id := protocol.Val(in.VersionId)
	err := s.versionChange(ctx, "SetDefaultPolicyVersion", protocol.Val(in.PolicyArn), id, func(p *storage.PolicyRecord, _ storage.Children[storage.PolicyVersionRecord]) error {
		if p.DefaultVersion != id {
			p.DefaultVersion, p.Updated = id, s.now(ctx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}
