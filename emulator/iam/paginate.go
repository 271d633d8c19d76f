package iam

import (
	"encoding/base64"
	"strings"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// Paging limits shared by every IAM List* operation (IAM API Reference, "MaxItems": default
// 100; the model caps it at 1000).
const (
	defaultMaxItems = 100
	maxMaxItems     = 1000
)

// page is one page of a List* answer. Marker is set only when Truncated, as IAM does.
type page[T any] struct {
	Items     []T
	Truncated bool
	Marker    *string
}

// IsTruncated is the wire value of IsTruncated (always present, false on the last page).
func (p page[T]) IsTruncated() *bool { return protocol.Ptr(p.Truncated) }

// paginate returns the page of items (already in listing order, with strictly increasing
// sort keys) that starts at marker. The marker is an opaque encoding of the sort key of the
// first item of the next page, so a page resumes correctly even if that item was deleted
// meanwhile. A marker that is not one of ours answers ValidationError "Invalid Marker.", the
// text IAM returns for a corrupt marker.
func paginate[T any](items []T, key func(T) string, marker *string, maxItems *int32) (page[T], error) {
	limit := int(protocol.Val(maxItems))
	if limit <= 0 {
		limit = defaultMaxItems
	}
	if limit > maxMaxItems {
		limit = maxMaxItems
	}
	start := 0
	if marker != nil {
		from, err := decodeMarker(*marker)
		if err != nil {
			return page[T]{}, err
		}
		for start < len(items) && key(items[start]) < from {
			start++
		}
	}
	rest := items[start:]
	if len(rest) <= limit {
		return page[T]{Items: rest}, nil
	}
	next := encodeMarker(key(rest[limit]))
	return page[T]{Items: rest[:limit], Truncated: true, Marker: &next}, nil
}

// markerPrefix makes markers recognisable, so garbage is rejected rather than read as a key.
const markerPrefix = "iamlocal1."

func encodeMarker(key string) string {
	return markerPrefix + base64.RawURLEncoding.EncodeToString([]byte(key))
}

func decodeMarker(m string) (string, error) {
	rest, ok := strings.CutPrefix(m, markerPrefix)
	if !ok {
		return "", awserr.Validation("Invalid Marker.")
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return "", awserr.Validation("Invalid Marker.")
	}
	return string(b), nil
}
