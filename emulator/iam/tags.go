package iam

import (
	"context"
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Tags (IAM User Guide, "Tagging IAM resources"): at most 50 per resource, a new value replaces
// the old, and Untag* ignores keys that are not there. Tags are kept sorted by key, the order
// Get* and List*Tags answer in.
//
// Resources differ in how keys compare. Recorded AWS responses show user and role keys compared
// without case ("Duplicate tag keys found. Please note that Tag keys are case insensitive.", and
// "TEAM" replaces "team"), but customer managed policy keys compared with case ("a" and "A"
// coexist; a key given twice answers "Duplicate tag keys found."). Instance profiles, MFA
// devices, OIDC and SAML providers and server certificates compare without case too. Roles and
// instance profiles list their tags in byte order of the key ("TEAM" before "env"), the others
// without case ("cost" before "Env").
const maxResourceTags = 50

// tagRules are one kind of resource's rules for tag keys.
type tagRules struct {
	foldCase  bool   // keys are equal without case
	foldOrder bool   // tags are ordered by key without case (else by the key's bytes)
	duplicate string // InvalidInput text for a request that names a key twice
}

const duplicateNoCase = "Duplicate tag keys found. Please note that Tag keys are case insensitive."

var (
	// userTagRules: users, MFA devices, OIDC and SAML providers, server certificates.
	userTagRules = tagRules{foldCase: true, foldOrder: true, duplicate: duplicateNoCase}
	// roleTagRules: roles and instance profiles.
	roleTagRules = tagRules{foldCase: true, duplicate: duplicateNoCase}
	// policyTagRules: customer managed policies.
	policyTagRules = tagRules{duplicate: "Duplicate tag keys found."}
)

// key is a tag key as these rules compare it.
func (r tagRules) key(k string) string {
	if r.foldCase {
		return strings.ToLower(k)
	}
	return k
}

// orderKey is a tag key as these rules order (and page) it. Keys are unique under key, and so
// under orderKey too: the order is total.
func (r tagRules) orderKey(k string) string {
	if r.foldOrder {
		return strings.ToLower(k)
	}
	return k
}

// merge applies a Tag* request (or the Tags of a Create*) to the existing tags, which it does
// not modify. A key already present takes the request's spelling and value. Model constraints
// on keys and values were checked by the protocol layer already.
func (r tagRules) merge(existing []storage.Tag, add []iamapi.Tag) ([]storage.Tag, error) {
	seen := make(map[string]bool, len(add))
	for _, t := range add {
		k := r.key(protocol.Val(t.Key))
		if seen[k] {
			return nil, iamapi.ErrInvalidInput("%s", r.duplicate)
		}
		seen[k] = true
	}
	out := make([]storage.Tag, 0, len(existing)+len(add))
	for _, t := range existing {
		if !seen[r.key(t.Key)] {
			out = append(out, t)
		}
	}
	for _, t := range add {
		out = append(out, storage.Tag{Key: protocol.Val(t.Key), Value: protocol.Val(t.Value)})
	}
	if len(out) > maxResourceTags {
		return nil, iamapi.ErrLimitExceeded("The number of tags has reached the maximum limit.")
	}
	r.sort(out)
	return out, nil
}

// remove applies an Untag* request to the existing tags, which it does not modify.
func (r tagRules) remove(existing []storage.Tag, keys []string) []storage.Tag {
	drop := make(map[string]bool, len(keys))
	for _, k := range keys {
		drop[r.key(k)] = true
	}
	var out []storage.Tag
	for _, t := range existing {
		if !drop[r.key(t.Key)] {
			out = append(out, t)
		}
	}
	return out
}

// sort orders tags by orderKey.
func (r tagRules) sort(tags []storage.Tag) {
	sort.Slice(tags, func(i, j int) bool { return r.orderKey(tags[i].Key) < r.orderKey(tags[j].Key) })
}

// page pages a List*Tags answer. Tags is a required member of those outputs, so an untagged
// resource answers an empty list rather than none. The tags are sorted first (on a copy), so
// the marker, the sort key of the next page's first tag, always resumes in order.
func (r tagRules) page(tags []storage.Tag, marker *string, maxItems *int32) (page[iamapi.Tag], error) {
	sorted := append([]storage.Tag(nil), tags...)
	r.sort(sorted)
	p, err := paginate(sorted, func(t storage.Tag) string { return r.orderKey(t.Key) }, marker, maxItems)
	if err != nil {
		return page[iamapi.Tag]{}, err
	}
	return page[iamapi.Tag]{Items: tagsAlways(p.Items), Truncated: p.Truncated, Marker: p.Marker}, nil
}

// listTags reads one resource's tags in a read transaction (load answers the resource's own
// NoSuchEntity) and pages them.
func (s *Service) listTags(ctx context.Context, r tagRules, marker *string, maxItems *int32,
	load func(tx *storage.Tx) ([]storage.Tag, error)) (page[iamapi.Tag], error) {
	var tags []storage.Tag
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		tags, err = load(tx)
		return err
	})
	if err != nil {
		return page[iamapi.Tag]{}, asAWS(err)
	}
	return r.page(tags, marker, maxItems)
}

// tagsToAPI converts stored tags to the wire; nil for none, so no empty <Tags/> is sent.
func tagsToAPI(tags []storage.Tag) []iamapi.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]iamapi.Tag, len(tags))
	for i, t := range tags {
		out[i] = iamapi.Tag{Key: protocol.Ptr(t.Key), Value: protocol.Ptr(t.Value)}
	}
	return out
}

// tagsAlways is tagsToAPI answering an empty list rather than none, for outputs that always
// carry Tags (Get* of instance profiles and policies, authorization details, List*Tags).
func tagsAlways(tags []storage.Tag) []iamapi.Tag {
	if out := tagsToAPI(tags); out != nil {
		return out
	}
	return []iamapi.Tag{}
}
