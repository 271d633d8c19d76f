package iam

import (
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
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

// Organizations access reports need an organization's management account (IAM User Guide,
// "View last accessed information for AWS Organizations"). Generating one never refuses
// (GenerateOrganizationsAccessReport declares only ReportGenerationLimitExceeded); the job of a
// standalone account fails, and GetOrganizationsAccessReport reports why in ErrorDetails (API
// Reference, GetOrganizationsAccessReport: "If the operation fails, it returns the reason that it
// failed").
func TestOrganizationsAccessReportWithoutOrganization(t *testing.T) {
	t.Parallel()
	s, ctx := fedService(t)
	gen, err := s.GenerateOrganizationsAccessReport(ctx, &iamapi.GenerateOrganizationsAccessReportRequest{
		EntityPath: protocol.Ptr("o-a1b2c3d4e5/r-f6g7h8i9j0example/" + fedAccount), OrganizationsPolicyId: protocol.Ptr("p-policy123"),
	})
	fedOK(t, err)
	id := protocol.Val(gen.JobId)
	if len(id) != 36 {
		t.Fatalf("JobId = %q, want 36 characters", id)
	}
	rep, err := s.GetOrganizationsAccessReport(ctx, &iamapi.GetOrganizationsAccessReportRequest{JobId: &id, SortKey: protocol.Ptr("SERVICE_NAMESPACE_ASCENDING")})
	fedOK(t, err)
	if protocol.Val(rep.JobStatus) != "FAILED" || rep.JobCreationDate == nil || !rep.JobCompletionDate.Equal(*rep.JobCreationDate) {
		t.Fatalf("report = %+v, want FAILED, completed when created", rep)
	}
	if d := rep.ErrorDetails; d == nil || protocol.Val(d.Code) != "AWSOrganizationsNotInUseException" ||
		!strings.HasPrefix(protocol.Val(d.Message), "Your account isn't a member of an organization.") {
		t.Fatalf("ErrorDetails = %+v", rep.ErrorDetails)
	}
	if rep.AccessDetails != nil || rep.NumberOfServicesAccessible != nil || protocol.Val(rep.IsTruncated) || rep.Marker != nil {
		t.Fatalf("failed report carries data: %+v", rep)
	}

	// Another account's job, an unknown job and a service last accessed job are not found.
	_, err = s.GetOrganizationsAccessReport(fedCtx("210987654321"), &iamapi.GetOrganizationsAccessReportRequest{JobId: &id})
	fedCode(t, err, "NoSuchEntity", "")
	_, err = s.GetOrganizationsAccessReport(ctx, &iamapi.GetOrganizationsAccessReportRequest{JobId: protocol.Ptr("00000000-0000-4000-8000-000000000000")})
	fedCode(t, err, "NoSuchEntity", "")
	_, err = s.GetServiceLastAccessedDetails(ctx, &iamapi.GetServiceLastAccessedDetailsRequest{JobId: &id})
	fedCode(t, err, "NoSuchEntity", "")
}
