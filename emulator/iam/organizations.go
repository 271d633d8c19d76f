package iam

import (
	"context"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Centralized root access (IAM User Guide, "Centrally manage root access for member
// accounts") works only for an account in an AWS Organization with trusted access for IAM.
// An iamlocal account is a standalone account that belongs to no organization, so each of
// these operations answers what AWS answers such a caller: OrganizationNotFoundException,
// "The request was rejected because no organization is associated with your account."
// (IAM API Reference, Common Errors of ListOrganizationsFeatures and the Enable/Disable
// operations). Nothing is stored: there is no organization whose features could change.
//
// Organizations access reports (IAM User Guide, "View last accessed information for AWS
// Organizations"; IAM API Reference, GenerateOrganizationsAccessReport) need the management
// account of an organization whose root has SCPs enabled. Neither report operation refuses a
// standalone account with an error: GenerateOrganizationsAccessReport's only modelled error is
// ReportGenerationLimitExceeded, and it always starts a job and answers its JobId. The outcome is
// the job's: GetOrganizationsAccessReport "retrieves the status of your report job" and "if the
// operation fails, it returns the reason that it failed" as ErrorDetails (API Reference,
// GetOrganizationsAccessReport and ErrorDetails). For a standalone account the job fails at once,
// and its reason is the one AWS Organizations gives a caller whose account is in no
// organization: AWSOrganizationsNotInUseException (AWS Organizations API Reference).

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

// orgsReportFailure is the ErrorDetails of every Organizations access report of a standalone
// account: AWS Organizations' AWSOrganizationsNotInUseException and its text.
var orgsReportFailure = iamapi.ErrorDetails{
	Code:    protocol.Ptr("AWSOrganizationsNotInUseException"),
	Message: protocol.Ptr("Your account isn't a member of an organization. To make this request, you must use the credentials of an account that belongs to an organization."),
}

// orgsReportKey is where an Organizations access report job is kept among the account's report
// jobs: apart from the service last accessed jobs, which are keyed by the bare JobId, so neither
// kind of Get* finds the other's jobs.
func orgsReportKey(jobID string) string { return "organizations/" + jobID }

// GenerateOrganizationsAccessReport records the job (the entity path it was asked for and when)
// and answers its JobId, a UUID like AWS's (JobId is 36 characters).
func (s *Service) GenerateOrganizationsAccessReport(ctx context.Context, in *iamapi.GenerateOrganizationsAccessReportRequest) (*iamapi.GenerateOrganizationsAccessReportResponse, error) {
	id := s.ids.UUID()
	job := storage.LastAccessedJobRecord{V: 1, ARN: protocol.Val(in.EntityPath), Created: s.now(ctx)}
	err := s.update(ctx, func(tx *storage.Tx) error {
		return storage.LastAccessedJobs(tx).Insert(orgsReportKey(id), job)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.GenerateOrganizationsAccessReportResponse{JobId: protocol.Ptr(id)}, nil
}

// GetOrganizationsAccessReport answers the job FAILED, completed when it was created, with the
// reason in ErrorDetails and no access details; an unknown JobId answers NoSuchEntity.
func (s *Service) GetOrganizationsAccessReport(ctx context.Context, in *iamapi.GetOrganizationsAccessReportRequest) (*iamapi.GetOrganizationsAccessReportResponse, error) {
	id := protocol.Val(in.JobId)
	var job storage.LastAccessedJobRecord
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		job, err = storage.LastAccessedJobs(tx).Get(orgsReportKey(id))
		if isNotFound(err) {
			return noSuchJob(id)
		}
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	failure := orgsReportFailure
	return &iamapi.GetOrganizationsAccessReportResponse{
		JobStatus: protocol.Ptr("FAILED"), JobCreationDate: protocol.Ptr(job.Created), JobCompletionDate: protocol.Ptr(job.Created),
		ErrorDetails: &failure, IsTruncated: protocol.Ptr(false),
	}, nil
}
