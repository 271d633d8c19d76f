package protocol

import (
	"testing"

	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/sigv4"
)

// Each family's answer per SigV4 failure, as conformance/errors README records them.
func TestAuthAnswers(t *testing.T) {
	t.Parallel()
	families := map[string]func(*sigv4.Error) *awserr.Error{"query": QueryAuth, "rest": RESTAuth, "json": JSONAuth}
	tests := []struct {
		family        string
		kind          sigv4.Kind
		code, message string
		status        int
	}{
		{"query", sigv4.KindMissingAuthentication, "MissingAuthenticationToken", "verifier text", 403},
		{"query", sigv4.KindIncomplete, "IncompleteSignature", "verifier text", 400},
		{"query", sigv4.KindInvalidToken, "InvalidClientTokenId", "verifier text", 403},
		{"query", sigv4.KindPresignExpired, "AccessDenied", "verifier text", 403},
		{"query", sigv4.KindSkew, "SignatureDoesNotMatch", "verifier text", 403},
		{"rest", sigv4.KindMissingAuthentication, "MissingAuthenticationTokenException", "Missing Authentication Token", 403},
		{"rest", sigv4.KindUnknownKey, "UnrecognizedClientException", "verifier text", 403},
		{"rest", sigv4.KindPresignExpired, "InvalidSignatureException", "verifier text", 403},
		{"json", sigv4.KindExpiredToken, "ExpiredTokenException", "verifier text", 400},
		{"json", sigv4.KindMismatch, "InvalidSignatureException", "verifier text", 400},
	}
	for _, tt := range tests {
		e := families[tt.family](&sigv4.Error{Kind: tt.kind, Message: "verifier text"})
		if e.Code != tt.code || e.Message != tt.message || e.Status != tt.status || !e.Sender {
			t.Errorf("%s %v: %+v, want %s %d %q", tt.family, tt.kind, e, tt.code, tt.status, tt.message)
		}
	}
}
