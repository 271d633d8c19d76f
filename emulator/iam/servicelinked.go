package iam

import (
	"context"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/iam/awsmanaged"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Service-linked roles (IAM User Guide, "Using service-linked roles"). A service-linked role
// lives under /aws-service-role/<service principal>/, trusts that principal, carries the
// service's AWS managed policy, and is protected: only DeleteServiceLinkedRole removes it.

const slrPathPrefix = "/aws-service-role/"

// slrFor returns the role AWS would create for a service principal. A principal not in the
// table gets AWSServiceRoleFor + its first label capitalised ("foo.amazonaws.com" ->
// AWSServiceRoleForFoo), no policy, and accepts a suffix: iamlocal cannot know every service.
func slrFor(service string) slrService {
	if s, ok := serviceLinkedRoles[service]; ok {
		return s
	}
	first, _, _ := strings.Cut(service, ".")
	if first != "" {
		first = strings.ToUpper(first[:1]) + first[1:]
	}
	return slrService{role: "AWSServiceRoleFor" + first, suffix: true}
}

// slrTrustPolicy is the trust policy AWS writes: the principal's sts:AssumeRole, in this
// member order (the AssumeRolePolicyDocument of AWSServiceRoleForAmazonSSM and
// AWSServiceRoleForAccessAnalyzer in a Terraform export of a real account's roles published
// on GitHub).
func slrTrustPolicy(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service +
		`"},"Action":"sts:AssumeRole"}]}`
}

// CreateServiceLinkedRole answers with the texts of recorded AWS responses (LocalStack IAM
// parity snapshots, TestIAMServiceRoles): "Custom suffix is not allowed for <service>" and
// "Service role name <name> has been taken in this account, please try a different suffix.",
// both InvalidInput. The role has no Description unless the caller gives one: AWS adds none
// (hashicorp/terraform-provider-aws TestAccAWSIAMServiceLinkedRole_basic reads back "" for
// elasticbeanstalk.amazonaws.com); the descriptions seen on roles a service created itself
// are the ones that service passed.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, in *iamapi.CreateServiceLinkedRoleRequest) (*iamapi.CreateServiceLinkedRoleResponse, error) {
	service, suffix := protocol.Val(in.AWSServiceName), protocol.Val(in.CustomSuffix)
	def := slrFor(service)
	if suffix != "" && !def.suffix {
		return nil, iamapi.ErrInvalidInput("Custom suffix is not allowed for %s", service)
	}
	name := def.role
	if suffix != "" {
		name += "_" + suffix
	}
	r := storage.RoleRecord{
		V: 1, Name: name, Path: slrPathPrefix + service + "/", Created: s.now(ctx),
		TrustPolicy: slrTrustPolicy(service), Description: protocol.Val(in.Description),
		MaxSessionDuration: defaultMaxSessionDuration, ServiceLinked: true,
	}
	err := s.update(ctx, func(tx *storage.Tx) error {
		if storage.Roles(tx).Has(storage.Key(name)) {
			return iamapi.ErrInvalidInput("Service role name %s has been taken in this account, please try a different suffix.", name)
		}
		r.ID = s.ids.UniqueID("AROA")
		if err := storage.Roles(tx).Insert(storage.Key(name), r); err != nil {
			return err
		}
		if def.policy == "" {
			return nil
		}
		partition := s.names(ctx).Partition
		p, ok := awsmanaged.Get(partition, arn.AWSManagedPolicy(partition, slrPathPrefix, def.policy).String())
		if !ok {
			return nil
		}
		policyARN := p.ARN(partition)
		return storage.RoleScope(tx, name).Attachments().Put(policyARN, storage.AttachmentRecord{V: 1, PolicyARN: policyARN, PolicyName: p.Name})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out := wireRole(s.names(ctx), r, viewCreate|withDescription)
	return &iamapi.CreateServiceLinkedRoleResponse{Role: &out}, nil
}

// DeleteServiceLinkedRole deletes the role at once, with its policies (and anything else
// storage declares the role owns), and records a deletion task that
// GetServiceLinkedRoleDeletionStatus reports SUCCEEDED. A role that is not service-linked is
// answered as absent.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, in *iamapi.DeleteServiceLinkedRoleRequest) (*iamapi.DeleteServiceLinkedRoleResponse, error) {
	name := protocol.Val(in.RoleName)
	var task string
	err := s.update(ctx, func(tx *storage.Tx) error {
		r, err := loadRole(tx, name)
		if err != nil {
			return err
		}
		if !r.ServiceLinked {
			return noSuchRole(name)
		}
		if err := storage.RoleScope(tx, name).Purge(); err != nil {
			return err
		}
		task = "task" + r.Path + r.Name + "/" + s.ids.UUID()
		return storage.DeletionTasks(tx).Insert(task, storage.DeletionTaskRecord{V: 1, Status: "SUCCEEDED", Created: s.now(ctx)})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.DeleteServiceLinkedRoleResponse{DeletionTaskId: protocol.Ptr(task)}, nil
}

// GetServiceLinkedRoleDeletionStatus answers NoSuchEntity for a task it does not know, as AWS
// does once it has purged a task record (gruntwork-io/cloud-nuke#1143).
func (s *Service) GetServiceLinkedRoleDeletionStatus(ctx context.Context, in *iamapi.GetServiceLinkedRoleDeletionStatusRequest) (*iamapi.GetServiceLinkedRoleDeletionStatusResponse, error) {
	id := protocol.Val(in.DeletionTaskId)
	var t storage.DeletionTaskRecord
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		t, err = storage.DeletionTasks(tx).Get(id)
		if isNotFound(err) {
			return iamapi.ErrNoSuchEntity("Deletion task %s cannot be found.", id)
		}
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.GetServiceLinkedRoleDeletionStatusResponse{Status: protocol.Ptr(t.Status)}, nil
}
