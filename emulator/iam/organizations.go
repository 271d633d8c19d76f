package iam

import (
	"context"

	"github.com/iamlocal/iamlocal/api/iamapi"
)

// Centralized root access (IAM User Guide, "Centrally manage root access for member
// accounts") works only for an account in an AWS Organization with trusted access for IAM.
// An iamlocal account is a standalone account that belongs to no organization, so each of
// these operations answers what AWS answers such a caller: OrganizationNotFoundException,
// "The request was rejected because no organization is associated with your account."
// (IAM API Reference, Common Errors of ListOrganizationsFeatures and the Enable/Disable
// operations). Nothing is stored: there is no organization whose features could change.
//
// GenerateOrganizationsAccessReport and GetOrganizationsAccessReport stay NotImplemented:
// their model declares no organization error, and what AWS answers a standalone account
// (a refused call, or a report job that fails) is not documented.

func errNoOrganization() error {
	return iamapi.ErrOrganizationNotFound("The request was rejected because no organization is associated with your account.")
}

func (s *Service) ListOrganizationsFeatures(context.Context, *iamapi.ListOrganizationsFeaturesRequest) (*iamapi.ListOrganizationsFeaturesResponse, error) {
	return nil, errNoOrganization()
}

func (s *Service) EnableOrganizationsRootCredentialsManagement(context.Context, *iamapi.EnableOrganizationsRootCredentialsManagementRequest) (*iamapi.EnableOrganizationsRootCredentialsManagementResponse, error) {
	return nil, errNoOrganization()
}

func (s *Service) DisableOrganizationsRootCredentialsManagement(context.Context, *iamapi.DisableOrganizationsRootCredentialsManagementRequest) (*iamapi.DisableOrganizationsRootCredentialsManagementResponse, error) {
	return nil, errNoOrganization()
}

func (s *Service) EnableOrganizationsRootSessions(context.Context, *iamapi.EnableOrganizationsRootSessionsRequest) (*iamapi.EnableOrganizationsRootSessionsResponse, error) {
	return nil, errNoOrganization()
}

func (s *Service) DisableOrganizationsRootSessions(context.Context, *iamapi.DisableOrganizationsRootSessionsRequest) (*iamapi.DisableOrganizationsRootSessionsResponse, error) {
	return nil, errNoOrganization()
}
