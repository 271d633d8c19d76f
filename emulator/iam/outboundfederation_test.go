package iam

import (
	"regexp"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// The issuer has the form of the API Reference's EnableOutboundWebIdentityFederation example:
// https://a1d2b0fd-1177-4468-9351-2fEXAMPLE723.tokens.sts.global.api.aws
var issuerForm = regexp.MustCompile(`^https://[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tokens\.sts\.global\.api\.aws$`)

func TestOutboundWebIdentityFederation(t *testing.T) {
	t.Parallel()
	s, ctx := fedService(t)
	get := func() (*iamapi.GetOutboundWebIdentityFederationInfoResponse, error) {
		return s.GetOutboundWebIdentityFederationInfo(ctx, &iamapi.Empty{})
	}
	disable := func() error { _, err := s.DisableOutboundWebIdentityFederation(ctx, &iamapi.Empty{}); return err }

	// Off until enabled: FeatureDisabled (404) is what Get and Disable answer then.
	_, err := get()
	fedCode(t, err, "FeatureDisabled", "")
	if e, _ := asAWSError(err); e.Status != 404 {
		t.Fatalf("status = %d, want 404", e.Status)
	}
	fedCode(t, disable(), "FeatureDisabled", "")

	on, err := s.EnableOutboundWebIdentityFederation(ctx, &iamapi.Empty{})
	fedOK(t, err)
	issuer := protocol.Val(on.IssuerIdentifier)
	if !issuerForm.MatchString(issuer) {
		t.Fatalf("issuer = %s", issuer)
	}
	_, err = s.EnableOutboundWebIdentityFederation(ctx, &iamapi.Empty{})
	fedCode(t, err, "FeatureEnabled", "")
	if e, _ := asAWSError(err); e.Status != 409 {
		t.Fatalf("status = %d, want 409", e.Status)
	}
	info, err := get()
	fedOK(t, err)
	if protocol.Val(info.IssuerIdentifier) != issuer || !protocol.Val(info.JwtVendingEnabled) {
		t.Fatalf("info = %+v", info)
	}

	fedOK(t, disable())
	_, err = get()
	fedCode(t, err, "FeatureDisabled", "")
	// Enabled again, the account keeps its issuer.
	on, err = s.EnableOutboundWebIdentityFederation(ctx, &iamapi.Empty{})
	fedOK(t, err)
	if protocol.Val(on.IssuerIdentifier) != issuer {
		t.Fatalf("issuer changed: %s -> %s", issuer, protocol.Val(on.IssuerIdentifier))
	}
	// Each account has its own issuer.
	other, err := s.EnableOutboundWebIdentityFederation(fedCtx("210987654321"), &iamapi.Empty{})
	fedOK(t, err)
	if protocol.Val(other.IssuerIdentifier) == issuer {
		t.Fatal("two accounts share an issuer")
	}
}
