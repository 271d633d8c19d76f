package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// The IAM operations that answer a standalone customer account the same way every time,
// driven through aws-sdk-go-v2: Organizations access reports, which fail for an account in no
// organization, and temporary delegation, in which such an account has no requests.

func remainingClient(t *testing.T) (*iam.Client, string) {
	t.Helper()
	srv := emulatortest.New(t)
	return iam.NewFromConfig(srv.AWSConfig(context.Background())), srv.Root.ID
}

// Organizations access reports need the management account of an organization with SCPs
// enabled (IAM User Guide, "View last accessed information for AWS Organizations"). The report
// job of a standalone account fails; GetOrganizationsAccessReport "returns the reason that it
// failed" (IAM API Reference, GetOrganizationsAccessReport; ErrorDetails), here AWS
// Organizations' AWSOrganizationsNotInUseException.
func TestIAMOrganizationsAccessReportStandalone(t *testing.T) {
	t.Parallel()
	c, acct := remainingClient(t)
	ctx := context.Background()

	gen, err := c.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{
		EntityPath: aws.String("o-a1b2c3d4e5/r-f6g7h8i9j0example/" + acct),
	})
	provOK(t, err)
	if len(aws.ToString(gen.JobId)) != 36 {
		t.Fatalf("JobId = %q, want 36 characters", aws.ToString(gen.JobId))
	}
	rep, err := c.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{
		JobId: gen.JobId, SortKey: types.SortKeyTypeServiceNamespaceAscending, MaxItems: aws.Int32(10),
	})
	provOK(t, err)
	if rep.JobStatus != types.JobStatusTypeFailed || rep.JobCreationDate == nil || rep.JobCompletionDate == nil {
		t.Fatalf("report = %+v, want FAILED with both dates", rep)
	}
	if d := rep.ErrorDetails; d == nil || aws.ToString(d.Code) != "AWSOrganizationsNotInUseException" ||
		!strings.Contains(aws.ToString(d.Message), "isn't a member of an organization") {
		t.Fatalf("ErrorDetails = %+v", rep.ErrorDetails)
	}
	if len(rep.AccessDetails) != 0 || rep.IsTruncated || rep.Marker != nil {
		t.Fatalf("failed report carries data: %+v", rep)
	}

	// A policy report fails the same way; an unknown job is not found.
	gen2, err := c.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{
		EntityPath: aws.String("o-a1b2c3d4e5/r-f6g7h8i9j0example"), OrganizationsPolicyId: aws.String("p-policy123"),
	})
	provOK(t, err)
	if aws.ToString(gen2.JobId) == aws.ToString(gen.JobId) {
		t.Fatalf("two jobs share JobId %s", aws.ToString(gen.JobId))
	}
	_, err = c.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: aws.String("00000000-0000-4000-8000-000000000000")})
	provErr(t, err, "NoSuchEntity", "")
	// The model's EntityPath pattern is checked before the handler.
	_, err = c.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String("not-an-entity-path-at-all")})
	provErr(t, err, "ValidationError", "")
}

// Only onboarded product providers create delegation requests; customers review them but
// "cannot create them directly" (IAM User Guide, "IAM temporary delegation"). An account no
// provider has sent a request to lists none, and every request id names nothing (IAM API
// Reference, ListDelegationRequests, GetDelegationRequest and the operations that act on a
// request, each declaring NoSuchEntity; GetHumanReadableSummary, whose "only supported entity
// type is delegation-request").
func TestIAMDelegationRequestsStandalone(t *testing.T) {
	t.Parallel()
	c, acct := remainingClient(t)
	ctx := context.Background()

	list, err := c.ListDelegationRequests(ctx, &iam.ListDelegationRequestsInput{MaxItems: aws.Int32(5)})
	provOK(t, err)
	if len(list.DelegationRequests) != 0 || list.IsTruncated || list.Marker != nil {
		t.Fatalf("ListDelegationRequests = %+v, want none", list)
	}

	id := aws.String("dr-0123456789abcdef")
	notFound := "The delegation request with id dr-0123456789abcdef cannot be found."
	_, err = c.GetDelegationRequest(ctx, &iam.GetDelegationRequestInput{DelegationRequestId: id, DelegationPermissionCheck: true})
	provErr(t, err, "NoSuchEntity", notFound)
	_, err = c.AssociateDelegationRequest(ctx, &iam.AssociateDelegationRequestInput{DelegationRequestId: id})
	provErr(t, err, "NoSuchEntity", notFound)
	_, err = c.AcceptDelegationRequest(ctx, &iam.AcceptDelegationRequestInput{DelegationRequestId: id})
	provErr(t, err, "NoSuchEntity", notFound)
	_, err = c.RejectDelegationRequest(ctx, &iam.RejectDelegationRequestInput{DelegationRequestId: id, Notes: aws.String("not ours")})
	provErr(t, err, "NoSuchEntity", notFound)
	_, err = c.UpdateDelegationRequest(ctx, &iam.UpdateDelegationRequestInput{DelegationRequestId: id, Notes: aws.String("note")})
	provErr(t, err, "NoSuchEntity", notFound)
	_, err = c.SendDelegationToken(ctx, &iam.SendDelegationTokenInput{DelegationRequestId: id})
	provErr(t, err, "NoSuchEntity", notFound)

	_, err = c.GetHumanReadableSummary(ctx, &iam.GetHumanReadableSummaryInput{
		EntityArn: aws.String("arn:aws:iam::" + acct + ":delegation-request/" + *id), Locale: aws.String("en"),
	})
	provErr(t, err, "NoSuchEntity", notFound)
	_, err = c.GetHumanReadableSummary(ctx, &iam.GetHumanReadableSummaryInput{EntityArn: aws.String("arn:aws:iam::" + acct + ":role/some-role")})
	provErr(t, err, "InvalidInput", "")

	// Creating a request is for onboarded partners only; what AWS answers anyone else is not
	// documented, so iamlocal says it does not emulate it.
	_, err = c.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{
		Description: aws.String("set up monitoring"), NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + acct + ":partner"),
		Permissions:         &types.DelegationPermission{PolicyTemplateArn: aws.String("arn:aws:iam::aws:policy-template/ReadOnly")},
		RequestorWorkflowId: aws.String("workflow-1"), SessionDuration: aws.Int32(3600),
	})
	provErr(t, err, "NotImplemented", "")
}
