package iam

import (
	"context"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
)

// IAM temporary delegation (2025). A delegation request is created by a product provider, not
// by the customer: "Temporary delegation requests can only be created by Amazon products and
// qualified AWS Partners that have completed the feature onboarding process. Customers review
// and approve these requests but cannot create them directly." (IAM User Guide, "IAM temporary
// delegation"; partners qualify through the ISV Accelerate program, "IAM temporary delegation
// for AWS Partners"). The lifecycle is UNASSIGNED -> ASSIGNED -> PENDING_APPROVAL -> ACCEPTED ->
// FINALIZED, or REJECTED/EXPIRED.
//
// An iamlocal account is a customer account that no partner has sent a request to, so every
// operation a customer calls answers what AWS answers an account that has no request:
//   - ListDelegationRequests lists nothing ("If a delegation request has no owner, even if it is
//     assigned to a specific account, it will not be part of the ListDelegationRequests output
//     for that account", API Reference, ListDelegationRequests).
//   - GetDelegationRequest, AssociateDelegationRequest, AcceptDelegationRequest,
//     RejectDelegationRequest, UpdateDelegationRequest and SendDelegationToken name a request by
//     DelegationRequestId; none exists, so each answers NoSuchEntity, the error each declares.
//   - GetHumanReadableSummary summarises an entity by ARN; "the only supported entity type is
//     delegation-request" (arn:aws:iam::<account>:delegation-request/<id>, Service
//     Authorization Reference), so a delegation request ARN answers NoSuchEntity and any other
//     ARN InvalidInput.
//
// CreateDelegationRequest alone stays NotImplemented. It "is not available for general use":
// what AWS answers a caller that is not an onboarded partner is not documented, and a request
// that succeeded would need the partner's PolicyTemplateArn, "a pre-registered policy content
// for this partner" that partners register with AWS outside the IAM API, to render the
// PermissionPolicy customers review. Neither can be emulated faithfully.

// noSuchDelegationRequest answers a DelegationRequestId that names no request. The text follows
// IAM's NoSuchEntity wording for other resources; AWS's own text is not documented.
func noSuchDelegationRequest(id string) error {
	return iamapi.ErrNoSuchEntity("The delegation request with id %s cannot be found.", id)
}

// ListDelegationRequests pages the account's (no) requests: an empty list, and a marker that
// is not one of ours answers "Invalid Marker." as every IAM List* does.
func (s *Service) ListDelegationRequests(_ context.Context, in *iamapi.ListDelegationRequestsRequest) (*iamapi.ListDelegationRequestsResponse, error) {
	p, err := paginate([]iamapi.DelegationRequest(nil), func(iamapi.DelegationRequest) string { return "" }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListDelegationRequestsResponse{DelegationRequests: []iamapi.DelegationRequest{}, IsTruncated: p.IsTruncated(), Marker: p.Marker}, nil
}

func (s *Service) GetDelegationRequest(_ context.Context, in *iamapi.GetDelegationRequestRequest) (*iamapi.GetDelegationRequestResponse, error) {
	return nil, noSuchDelegationRequest(protocol.Val(in.DelegationRequestId))
}

func (s *Service) AssociateDelegationRequest(_ context.Context, in *iamapi.AssociateDelegationRequestRequest) (*iamapi.Empty, error) {
	return nil, noSuchDelegationRequest(protocol.Val(in.DelegationRequestId))
}

func (s *Service) AcceptDelegationRequest(_ context.Context, in *iamapi.AcceptDelegationRequestRequest) (*iamapi.Empty, error) {
	return nil, noSuchDelegationRequest(protocol.Val(in.DelegationRequestId))
}

func (s *Service) RejectDelegationRequest(_ context.Context, in *iamapi.RejectDelegationRequestRequest) (*iamapi.Empty, error) {
	return nil, noSuchDelegationRequest(protocol.Val(in.DelegationRequestId))
}

func (s *Service) UpdateDelegationRequest(_ context.Context, in *iamapi.UpdateDelegationRequestRequest) (*iamapi.Empty, error) {
	return nil, noSuchDelegationRequest(protocol.Val(in.DelegationRequestId))
}

func (s *Service) SendDelegationToken(_ context.Context, in *iamapi.SendDelegationTokenRequest) (*iamapi.Empty, error) {
	return nil, noSuchDelegationRequest(protocol.Val(in.DelegationRequestId))
}

// GetHumanReadableSummary answers NoSuchEntity for a delegation request ARN (of any account:
// no request exists anywhere here) and InvalidInput for anything else. The InvalidInput text is
// iamlocal's; AWS's is not documented.
func (s *Service) GetHumanReadableSummary(_ context.Context, in *iamapi.GetHumanReadableSummaryRequest) (*iamapi.GetHumanReadableSummaryResponse, error) {
	text := protocol.Val(in.EntityArn)
	if a, err := arn.Parse(text); err == nil && a.Service == "iam" {
		if id, ok := strings.CutPrefix(a.Resource, "delegation-request/"); ok && id != "" {
			return nil, noSuchDelegationRequest(id)
		}
	}
	return nil, iamapi.ErrInvalidInput("Entity %s is not supported: the only supported entity type is delegation-request.", text)
}
