package sts

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/storage"
)

// What AssumeRoleWithWebIdentity and AssumeRoleWithSAML share once the token or assertion
// is verified: the trust policy decides (these calls are unsigned, so the pipeline has no
// caller to authorize), then a role session is issued as AssumeRole issues one.

// federated is a verified federation request.
type federated struct {
	Action   string // sts:AssumeRoleWithWebIdentity | sts:AssumeRoleWithSAML
	Role     roleRef
	Provider string // IAM OIDC or SAML provider ARN
	Session  string
	Duration *int32
	// MaxDuration is the assertion's own cap (SAML SessionDuration attribute); 0 for none.
	MaxDuration time.Duration
	Context     map[string][]string // the provider's condition keys
	Policies    sessionPolicies
	Tags        sessionTags
	Source      string // source identity from the token or assertion
}

// requestContext adds the global condition keys of an unsigned request.
func requestContext(info *reqctx.Info, now time.Time, keys map[string][]string) map[string][]string {
	ctx := map[string][]string{
		"aws:CurrentTime":     {now.UTC().Format(time.RFC3339)},
		"aws:EpochTime":       {strconv.FormatInt(now.Unix(), 10)},
		"aws:SecureTransport": {strconv.FormatBool(info.Secure)},
	}
	if info.SourceIP != "" {
		ctx["aws:SourceIp"] = []string{info.SourceIP}
	}
	if info.Region != "" {
		ctx["aws:RequestedRegion"] = []string{info.Region}
	}
	for k, v := range keys {
		ctx[k] = v
	}
	return ctx
}

// tagContext adds aws:RequestTag/*, aws:TagKeys and sts:TransitiveTagKeys.
func tagContext(ctx map[string][]string, t sessionTags) {
	if len(t.Keys) == 0 {
		return
	}
	for _, k := range t.Keys {
		ctx["aws:RequestTag/"+k] = []string{t.Values[k]}
	}
	ctx["aws:TagKeys"] = append([]string(nil), t.Keys...)
	if len(t.Transitive) > 0 {
		ctx["sts:TransitiveTagKeys"] = append([]string(nil), t.Transitive...)
	}
}

// trustAllows evaluates the role's trust policy for the federated principal: the action
// itself, plus sts:TagSession when tags are passed and sts:SetSourceIdentity when a source
// identity is ("Passing session tags in AWS STS", "Monitor and control actions taken with
// assumed roles").
func trustAllows(role storage.RoleRecord, roleARN string, f federated, ctx map[string][]string) bool {
	// Validated when it was written: only compiled here.
	pol, err := authz.Parser{AnyPartition: true}.Parse(role.TrustPolicy, authz.KindTrust)
	if err != nil {
		return false
	}
	set := authz.PolicySet{Resource: []authz.Named{{Name: "trust", Policy: pol}}}
	actions := []string{f.Action}
	if len(f.Tags.Keys) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if f.Source != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, a := range actions {
		req := authz.Request{Principal: authz.Principal{Federated: f.Provider}, Action: a, Resource: roleARN, Context: ctx}
		if authz.Evaluate(req, set).Decision != authz.Allow {
			return false
		}
	}
	return true
}

// assumeFederated checks the role, its trust policy and the duration, and issues the
// session, in one transaction on the role's account.
func (s *Service) assumeFederated(ctx context.Context, f federated) (storage.SessionRecord, *int32, error) {
	info := reqctx.From(ctx)
	now := s.now(ctx)
	denied := accessDenied("Not authorized to perform %s", f.Action)
	var rec storage.SessionRecord
	var packed *int32
	err := s.db.Update(f.Role.Scope.Account, func(tx *storage.Tx) error {
		role, found, err := getRole(tx, f.Role)
		if err != nil {
			return err
		}
		if !found {
			return denied
		}
		arn := roleARN(f.Role.Scope, role)
		keys := requestContext(info, now, f.Context)
		keys["aws:FederatedProvider"] = []string{f.Provider}
		keys["sts:RoleSessionName"] = []string{f.Session}
		tagContext(keys, f.Tags)
		if f.Source != "" {
			keys["sts:SourceIdentity"] = []string{f.Source}
		}
		if !trustAllows(role, arn, f, keys) {
			return denied
		}
		d, err := roleDuration(f.Duration, role, false)
		if err != nil {
			return err
		}
		if f.Duration == nil && f.MaxDuration > 0 {
			d = f.MaxDuration
			if max := time.Duration(role.MaxSessionDuration) * time.Second; role.MaxSessionDuration > 0 && d > max {
				d = max
			}
		} else if f.MaxDuration > 0 && d > f.MaxDuration {
			d = f.MaxDuration
		}
		if packed, err = checkPacked(f.Policies, f.Tags); err != nil {
			return err
		}
		rec = s.newSession(f.Role.Scope.Account, now, d)
		rec.Type = string(reqctx.AssumedRole)
		rec.ARN = f.Role.Scope.AssumedRole(role.Name, f.Session).String()
		rec.UserID = role.ID + ":" + f.Session
		rec.RoleName, rec.RoleARN, rec.RoleID = role.Name, arn, role.ID
		rec.SessionName = f.Session
		rec.Policies, rec.PolicyARNs = f.Policies.records()
		rec.Tags, rec.Transitive = f.Tags.record()
		rec.SourceIdent = f.Source
		rec.Provider = f.Provider
		role.LastUsed, role.LastUsedRegion = now, info.Region
		if err := storage.Roles(tx).Put(storage.Key(role.Name), role); err != nil {
			return err
		}
		return putSession(tx, rec)
	})
	return rec, packed, err
}

// claimTags reads session tags from a web identity token's "https://aws.amazon.com/tags"
// claim: {"principal_tags": {"k": ["v"]}, "transitive_tag_keys": ["k"]} ("Passing session
// tags using AssumeRoleWithWebIdentity").
func claimTags(v any) (sessionTags, bool) {
	out := sessionTags{Values: map[string]string{}}
	m, ok := v.(map[string]any)
	if !ok {
		return out, v == nil
	}
	if pt, ok := m["principal_tags"].(map[string]any); ok {
		for k, val := range pt {
			s := ""
			switch x := val.(type) {
			case string:
				s = x
			case []any:
				if len(x) != 1 {
					return out, false
				}
				s, _ = x[0].(string)
			default:
				return out, false
			}
			for _, have := range out.Keys {
				if strings.EqualFold(have, k) {
					return out, false
				}
			}
			out.Keys = append(out.Keys, k)
			out.Values[k] = s
		}
	}
	if tk, ok := m["transitive_tag_keys"].([]any); ok {
		for _, e := range tk {
			k, _ := e.(string)
			c := out.canonical(k)
			if _, ok := out.Values[c]; !ok {
				return out, false
			}
			out.Transitive = append(out.Transitive, c)
		}
	}
	return out, len(out.Keys) <= maxSessionTags
}
