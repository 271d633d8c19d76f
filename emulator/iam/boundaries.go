package iam

import (
	"context"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// boundaryExists checks a permissions boundary ARN: it must name an existing managed policy,
// customer or AWS. The texts are those of recorded AWS responses (LocalStack IAM parity
// snapshot test_role_permissions_boundary_errors): InvalidInput "ARN <arn> is not valid." for
// an ARN that names no policy, NoSuchEntity "Scope ARN: <arn> does not exist or is not
// attachable." for a policy that does not exist.
func boundaryExists(tx *storage.Tx, names arn.Scope, policyARN string) error {
	if err := checkPolicyARN(names.Partition, policyARN); err != nil {
		if e, ok := awserr.As(err); ok && e.Code == "ValidationError" {
			return iamapi.ErrInvalidInput("ARN %s is not valid.", policyARN)
		}
		return err
	}
	_, found, err := findPolicy(tx, names, policyARN)
	if err != nil {
		return err
	}
	if !found {
		return iamapi.ErrNoSuchEntity("Scope ARN: %s does not exist or is not attachable.", policyARN)
	}
	return nil
}

// wireBoundary is the PermissionsBoundary member of a user or role (GetUser, GetRole, their
// Create answers and GetAccountAuthorizationDetails; the List operations leave it out); nil
// when none is set. The type is the model's one enum value: IAM API Reference,
// AttachedPermissionsBoundary, "Valid Values: PermissionsBoundaryPolicy", as the
// GetAccountAuthorizationDetails sample there shows it.
func wireBoundary(arn string) *iamapi.AttachedPermissionsBoundary {
	if arn == "" {
		return nil
	}
	return &iamapi.AttachedPermissionsBoundary{
		PermissionsBoundaryArn:  protocol.Ptr(arn),
		PermissionsBoundaryType: protocol.Ptr(permissionsBoundaryPolicy),
	}
}

// permissionsBoundaryPolicy is the PermissionsBoundaryAttachmentType AWS sends.
const permissionsBoundaryPolicy = "PermissionsBoundaryPolicy"

func (s *Service) PutRolePermissionsBoundary(ctx context.Context, in *iamapi.PutRolePermissionsBoundaryRequest) (*iamapi.Empty, error) {
	arn := protocol.Val(in.PermissionsBoundary)
	_, err := s.changeRole(ctx, protocol.Val(in.RoleName), func(tx *storage.Tx, r *storage.RoleRecord) error {
		if err := protectedRole(*r); err != nil {
			return err
		}
		if err := boundaryExists(tx, s.names(ctx), arn); err != nil {
			return err
		}
		r.Boundary = arn
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// DeleteRolePermissionsBoundary succeeds whether or not a boundary is set.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, in *iamapi.DeleteRolePermissionsBoundaryRequest) (*iamapi.Empty, error) {
	_, err := s.changeRole(ctx, protocol.Val(in.RoleName), func(_ *storage.Tx, r *storage.RoleRecord) error {
		if err := protectedRole(*r); err != nil {
			return err
		}
		r.Boundary = ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// changeUserBoundary sets (or with arn "" clears) a user's boundary. Users belong to the
// identities family; only the Boundary field is written here.
func (s *Service) changeUserBoundary(ctx context.Context, name, arn string) error {
	return asAWS(s.update(ctx, func(tx *storage.Tx) error {
		if arn != "" {
			if err := boundaryExists(tx, s.names(ctx), arn); err != nil {
				return err
			}
		}
		u, err := getUser(tx, name)
		if err != nil {
			return err
		}
		u.Boundary = arn
		return storage.Users(tx).Put(storage.Key(name), u)
	}))
}

func (s *Service) PutUserPermissionsBoundary(ctx context.Context, in *iamapi.PutUserPermissionsBoundaryRequest) (*iamapi.Empty, error) {
	if err := s.changeUserBoundary(ctx, protocol.Val(in.UserName), protocol.Val(in.PermissionsBoundary)); err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, in *iamapi.DeleteUserPermissionsBoundaryRequest) (*iamapi.Empty, error) {
	if err := s.changeUserBoundary(ctx, protocol.Val(in.UserName), ""); err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}
