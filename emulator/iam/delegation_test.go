package iam

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// Only onboarded product providers create delegation requests (IAM User Guide, "IAM temporary
// delegation"), so an iamlocal account has none: the list is empty and every request id or
// delegation-request ARN names nothing (IAM API Reference, ListDelegationRequests,
// GetDelegationRequest and the other delegation operations, all declaring NoSuchEntity).
func TestDelegationWithoutRequests(t *testing.T) {
	t.Parallel()
	s, ctx := fedService(t)
	list, err := s.ListDelegationRequests(ctx, &iamapi.ListDelegationRequestsRequest{OwnerId: protocol.Ptr("arn:aws:iam::" + fedAccount + ":root")})
	fedOK(t, err)
	if list.DelegationRequests == nil || len(list.DelegationRequests) != 0 || protocol.Val(list.IsTruncated) || list.Marker != nil {
		t.Fatalf("ListDelegationRequests = %+v, want an empty list", list)
	}
	_, err = s.ListDelegationRequests(ctx, &iamapi.ListDelegationRequestsRequest{Marker: protocol.Ptr("garbage")})
	fedCode(t, err, "ValidationError", "Invalid Marker.")

	id := protocol.Ptr("dr-0123456789abcdef")
	calls := map[string]func() error{
		"GetDelegationRequest": func() error {
			_, err := s.GetDelegationRequest(ctx, &iamapi.GetDelegationRequestRequest{DelegationRequestId: id, DelegationPermissionCheck: protocol.Ptr(true)})
			return err
		},
		"AssociateDelegationRequest": func() error {
			_, err := s.AssociateDelegationRequest(ctx, &iamapi.AssociateDelegationRequestRequest{DelegationRequestId: id})
			return err
		},
		"AcceptDelegationRequest": func() error {
			_, err := s.AcceptDelegationRequest(ctx, &iamapi.AcceptDelegationRequestRequest{DelegationRequestId: id})
			return err
		},
		"RejectDelegationRequest": func() error {
			_, err := s.RejectDelegationRequest(ctx, &iamapi.RejectDelegationRequestRequest{DelegationRequestId: id})
			return err
		},
		"UpdateDelegationRequest": func() error {
			_, err := s.UpdateDelegationRequest(ctx, &iamapi.UpdateDelegationRequestRequest{DelegationRequestId: id})
			return err
		},
		"SendDelegationToken": func() error {
			_, err := s.SendDelegationToken(ctx, &iamapi.SendDelegationTokenRequest{DelegationRequestId: id})
			return err
		},
		"GetHumanReadableSummary": func() error {
			_, err := s.GetHumanReadableSummary(ctx, &iamapi.GetHumanReadableSummaryRequest{
				EntityArn: protocol.Ptr("arn:aws:iam::" + fedAccount + ":delegation-request/" + *id), Locale: protocol.Ptr("en"),
			})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			fedCode(t, err, "NoSuchEntity", "The delegation request with id "+*id+" cannot be found.")
			if e, _ := asAWSError(err); e.Status != 404 || !e.Sender {
				t.Fatalf("status %d sender %v, want 404 Sender", e.Status, e.Sender)
			}
		})
	}

	// GetHumanReadableSummary supports only delegation requests.
	for _, arn := range []string{"arn:aws:iam::" + fedAccount + ":role/r", "not-an-arn-at-all", "arn:aws:iam::" + fedAccount + ":delegation-request/"} {
		_, err := s.GetHumanReadableSummary(ctx, &iamapi.GetHumanReadableSummaryRequest{EntityArn: &arn})
		fedCode(t, err, "InvalidInput", "")
	}
}
