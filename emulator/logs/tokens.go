package logs

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/iamlocal/iamlocal/api/logsapi"
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

func encodeOffset(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(n)))
}

func decodeOffset(tok string) (int, error) {
	if tok == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(raw), "o:") {
		return 0, invalidToken()
	}
	n, err := strconv.Atoi(string(raw[2:]))
	if err != nil || n < 0 {
		return 0, invalidToken()
	}
	return n, nil
}
