package logs

import (
	"encoding/base64"
	"strings"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/emulator/internal/pagetoken"
)

// Pagination tokens are opaque to callers: "n:<name>" after a log group name, "o:<offset>"
// for lists computed whole (streams, filtered events).

func invalidToken() error { return logsapi.ErrInvalidParameter("The specified nextToken is invalid.") }

func encodeToken(after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("n:" + after))
}

func decodeToken(tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(raw), "n:") || len(raw) < 3 {
		return "", invalidToken()
	}
	return string(raw[2:]), nil
}

func encodeOffset(n int) string { return pagetoken.Encode(n) }

func decodeOffset(tok string) (int, error) {
	n, ok := pagetoken.Decode(tok)
	if !ok {
		return 0, invalidToken()
	}
	return n, nil
}
