package iam

import (
	"context"
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// SetSecurityTokenServicePreferences records which session tokens the STS global endpoint
// issues for the account; GetAccountSummary reports it as GlobalEndpointTokenVersion.
// (IAM API Reference, SetSecurityTokenServicePreferences.)
func (s *Service) SetSecurityTokenServicePreferences(ctx context.Context, in *iamapi.SetSecurityTokenServicePreferencesRequest) (*iamapi.Empty, error) {
	version := int32(1)
	if protocol.Val(in.GlobalEndpointTokenVersion) == "v2Token" {
		version = 2
	}
	err := s.update(ctx, func(tx *storage.Tx) error {
		return storage.STSPreferences(tx).Put(storage.SettingsKey,
			storage.STSPreferencesRecord{V: 1, GlobalEndpointTokenVersion: version})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

// globalEndpointTokenVersion is the account's GetAccountSummary GlobalEndpointTokenVersion:
// 1 until SetSecurityTokenServicePreferences chooses v2Token (version 1 tokens are the
// global endpoint's default, valid in the Regions enabled by default).
func globalEndpointTokenVersion(tx *storage.Tx) int32 {
	rec, err := storage.STSPreferences(tx).Get(storage.SettingsKey)
	if err != nil || rec.GlobalEndpointTokenVersion == 0 {
		return 1
	}
	return rec.GlobalEndpointTokenVersion
}

// The tag rules shared by the providers and server certificates (IAM User Guide, "Tagging
// IAM resources"): at most 50 tags, keys compared without case, a new value replaces the old.
const maxResourceTags = 50

// tagsMerge applies a Tag* request (or the Tags of a Create*) to the existing tags. Model
// constraints on keys and values were checked by the protocol layer already.
func tagsMerge(existing []storage.Tag, add []iamapi.Tag) ([]storage.Tag, error) {
	seen := make(map[string]bool, len(add))
	for _, t := range add {
		k := strings.ToLower(protocol.Val(t.Key))
		if seen[k] {
			return nil, iamapi.ErrInvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	out := make([]storage.Tag, 0, len(existing)+len(add))
	for _, t := range existing {
		if !seen[strings.ToLower(t.Key)] {
			out = append(out, t)
		}
	}
	for _, t := range add {
		out = append(out, storage.Tag{Key: protocol.Val(t.Key), Value: protocol.Val(t.Value)})
	}
	if len(out) > maxResourceTags {
		return nil, iamapi.ErrLimitExceeded("The number of tags has reached the maximum limit.")
	}
	sortTags(out)
	return out, nil
}

// tagsRemove applies an Untag* request; keys that are not there are ignored.
func tagsRemove(existing []storage.Tag, keys []string) []storage.Tag {
	drop := make(map[string]bool, len(keys))
	for _, k := range keys {
		drop[strings.ToLower(k)] = true
	}
	out := existing[:0:0]
	for _, t := range existing {
		if !drop[strings.ToLower(t.Key)] {
			out = append(out, t)
		}
	}
	return out
}

// sortTags orders tags by key, as IAM lists them; keys are unique without case.
func sortTags(tags []storage.Tag) {
	sort.Slice(tags, func(i, j int) bool { return strings.ToLower(tags[i].Key) < strings.ToLower(tags[j].Key) })
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

// tagsPage pages a List*Tags answer. Tags is a required member of those outputs, so an
// untagged resource answers an empty list rather than none.
func tagsPage(tags []storage.Tag, marker *string, maxItems *int32) (page[iamapi.Tag], error) {
	p, err := paginate(tags, func(t storage.Tag) string { return strings.ToLower(t.Key) }, marker, maxItems)
	if err != nil {
		return page[iamapi.Tag]{}, err
	}
	out := page[iamapi.Tag]{Items: tagsToAPI(p.Items), Truncated: p.Truncated, Marker: p.Marker}
	if out.Items == nil {
		out.Items = []iamapi.Tag{}
	}
	return out, nil
}

// iamARN is the ARN of an IAM resource ("oidc-provider/host", "server-certificate/path/name").
func iamARN(account, resource string) string { return "arn:aws:iam::" + account + ":" + resource }

// arnResource returns the part of an IAM ARN after "<kind>/" when the ARN names a resource of
// that kind in account. A string that is not an ARN answers ValidationError with IAM's text
// for unparseable ARNs; an ARN of another service, account or kind names nothing here, so
// found is false and the caller answers its own NoSuchEntity.
func arnResource(arn, account, kind string) (rest string, found bool, err error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return "", false, awserr.Validation("Invalid ARN:  Could not be parsed!")
	}
	if parts[2] != "iam" || parts[4] != account {
		return "", false, nil
	}
	rest, ok := strings.CutPrefix(parts[5], kind+"/")
	if !ok || rest == "" {
		return "", false, nil
	}
	return rest, true, nil
}
