package logs

import (
	"encoding/base64"
	"strings"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/emulator/internal/pagetoken"
	"github.com/iamlocal/iamlocal/protocol"
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

// limitOr is a request's Limit, or def when it gives none.
func limitOr(limit *int32, def int) int {
	if n := int(protocol.Val(limit)); n != 0 {
		return n
	}
	return def
}

// offsetPage is the page of a list computed whole: up to limit items from offset, each as wire
// makes it, and the token of the next page (nil after the last).
func offsetPage[T, W any](all []T, offset, limit int, wire func(T) W) ([]W, *string) {
	out := []W{}
	for i := offset; i < len(all) && len(out) < limit; i++ {
		out = append(out, wire(all[i]))
	}
	if offset+limit < len(all) {
		return out, protocol.Ptr(encodeOffset(offset + limit))
	}
	return out, nil
}
