package iam

import (
	"encoding/base64"
	"strings"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
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
//
// It suits lists that are small by quota (a user's two access keys, a policy's five versions)
// or built in memory; a list of stored records in key order reads its page with readPage.
func paginate[T any](items []T, key func(T) string, marker *string, maxItems *int32) (page[T], error) {
	limit := pageLimit(maxItems)
	from, err := markerKey(marker)
	if err != nil {
		return page[T]{}, err
	}
	start := 0
	for start < len(items) && key(items[start]) < from {
		start++
	}
	rest := items[start:]
	if len(rest) <= limit {
		return page[T]{Items: rest}, nil
	}
	next := encodeMarker(key(rest[limit]))
	return page[T]{Items: rest[:limit], Truncated: true, Marker: &next}, nil
}

// readPage reads one page straight from storage: read seeks to the key the marker encodes and
// decodes at most limit records plus the one after, whose key becomes the next marker. The
// listing order is the storage key order, so the markers are those paginate makes.
func readPage[T any](marker *string, maxItems *int32, read func(from string, limit int) (storage.Page[T], error)) (page[T], error) {
	from, err := markerKey(marker)
	if err != nil {
		return page[T]{}, err
	}
	p, err := read(from, pageLimit(maxItems))
	if err != nil {
		return page[T]{}, err
	}
	return storagePage(p), nil
}

// storagePage is the List* page of a storage page.
func storagePage[T any](p storage.Page[T]) page[T] {
	out := page[T]{Items: p.Values(), Truncated: p.Truncated}
	if p.Truncated {
		out.Marker = protocol.Ptr(encodeMarker(p.Next))
	}
	return out
}

// pageLimit is MaxItems, defaulted and capped.
func pageLimit(maxItems *int32) int {
	limit := int(protocol.Val(maxItems))
	if limit <= 0 {
		return defaultMaxItems
	}
	return min(limit, maxMaxItems)
}

// markerKey is the key a page starts at: the one the marker encodes, "" without a marker.
func markerKey(marker *string) (string, error) {
	if marker == nil {
		return "", nil
	}
	return decodeMarker(*marker)
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
