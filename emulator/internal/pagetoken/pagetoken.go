// Package pagetoken is the NextToken of listings that page by position (CloudWatch Logs' and
// CloudWatch's): an opaque encoding of the offset of the next page's first item.
package pagetoken

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Encode is the token of offset n.
func Encode(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(n)))
}

// Decode reads a token Encode wrote: 0 for "", ok false for anything else, which each service
// answers with its own error.
func Decode(tok string) (n int, ok bool) {
	if tok == "" {
		return 0, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	digits, found := strings.CutPrefix(string(raw), "o:")
	if err != nil || !found {
		return 0, false
	}
	n, err = strconv.Atoi(digits)
	return n, err == nil && n >= 0
}
