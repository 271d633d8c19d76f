package iam

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
)

// An iamlocal account is standalone, in no AWS Organization, so centralized root access
// answers OrganizationNotFoundException (IAM API Reference, ListOrganizationsFeatures,
// EnableOrganizationsRootCredentialsManagement and the related operations: "The request was
// rejected because no organization is associated with your account.").
func TestOrganizationsFeaturesWithoutOrganization(t *testing.T) {
	t.Parallel()
	s, ctx := fedService(t)
	calls := map[string]func() error{
		"ListOrganizationsFeatures": func() error {
			_, err := s.ListOrganizationsFeatures(ctx, &iamapi.ListOrganizationsFeaturesRequest{})
			return err
		},
		"EnableOrganizationsRootCredentialsManagement": func() error {
			_, err := s.EnableOrganizationsRootCredentialsManagement(ctx, &iamapi.EnableOrganizationsRootCredentialsManagementRequest{})
			return err
		},
		"DisableOrganizationsRootCredentialsManagement": func() error {
			_, err := s.DisableOrganizationsRootCredentialsManagement(ctx, &iamapi.DisableOrganizationsRootCredentialsManagementRequest{})
			return err
		},
		"EnableOrganizationsRootSessions": func() error {
			_, err := s.EnableOrganizationsRootSessions(ctx, &iamapi.EnableOrganizationsRootSessionsRequest{})
			return err
		},
		"DisableOrganizationsRootSessions": func() error {
			_, err := s.DisableOrganizationsRootSessions(ctx, &iamapi.DisableOrganizationsRootSessionsRequest{})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			fedCode(t, err, "OrganizationNotFoundException", "The request was rejected because no organization is associated with your account.")
			if e, _ := asAWSError(err); e.Status != 400 || !e.Sender {
				t.Fatalf("status %d sender %v, want 400 Sender", e.Status, e.Sender)
			}
		})
	}
}
