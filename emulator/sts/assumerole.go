package sts

import (
	"context"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// AssumeRole (STS API Reference, AssumeRole; IAM User Guide, "Role chaining", "Passing
// session tags in AWS STS"). The pipeline's authorization step has already evaluated the
// caller's identity policies and the role's trust policy; this handler checks the request,
// the role and the session limits, and issues the credentials.
const (
	defaultRoleSession = time.Hour
	// chainedMax is the session limit of a role assumed with role credentials.
	chainedMax          = time.Hour
	defaultMaxSessionDS = 3600
)

// roleRef is a parsed role ARN.
type roleRef struct {
	ARN   string
	Scope arn.Scope // the role's partition and account
	Path  string    // "/" or "/a/b/"
	Name  string
}

// parseRoleARN answers ValidationError "<arn> is invalid" for strings that are not ARNs at
// all (LocalStack's recordings of AWS: missing partition, service or resource). An ARN of
// something other than an IAM role of the partition is well formed but names no role: ok is
// false.
func parseRoleARN(partition, text string) (ref roleRef, ok bool, err error) {
	if a, err := arn.Parse(text); err != nil || a.Resource == "" {
		return ref, false, awserr.Validation("%s is invalid", text)
	}
	r, ok := arn.ParseRole(partition, text)
	return roleRef{ARN: text, Scope: r.Scope, Path: r.Path, Name: r.Name}, ok, nil
}

// getRole reads the role an ARN names; the path in the ARN must be the role's.
func getRole(tx *storage.Tx, ref roleRef) (storage.RoleRecord, bool, error) {
	r, err := storage.Roles(tx).Get(storage.Key(ref.Name))
	if isNotFound(err) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	return r, r.Path == ref.Path || (r.Path == "" && ref.Path == "/"), nil
}

// roleARN is the ARN of a stored role; the ARN a caller names may differ in nothing but the
// path's absence, which getRole allows.
func roleARN(in arn.Scope, r storage.RoleRecord) string { return in.Role(r.Path, r.Name).String() }

// notAuthorized is the AccessDenied AWS answers when a role cannot be assumed, including a
// role that does not exist (the troubleshooting pages quote no reason suffix for STS).
func notAuthorized(callerARN, action, resource string) *awserr.Error {
	return accessDenied("User: %s is not authorized to perform: %s on resource: %s", callerARN, action, resource)
}

// roleDuration applies the role's MaxSessionDuration (default one hour) to a requested
// DurationSeconds (the model already bounds it to 900..43200).
func roleDuration(requested *int32, role storage.RoleRecord, chained bool) (time.Duration, error) {
	d := defaultRoleSession
	if requested != nil {
		d = time.Duration(*requested) * time.Second
	}
	if chained && d > chainedMax {
		return 0, awserr.Validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	max := role.MaxSessionDuration
	if max == 0 {
		max = defaultMaxSessionDS
	}
	if d > time.Duration(max)*time.Second {
		return 0, awserr.Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return d, nil
}

// inherit applies role chaining to the requested tags: the calling session's transitive
// tags carry over and cannot be set again ("Chaining roles with session tags").
func inherit(parent storage.SessionRecord, tags sessionTags) (sessionTags, error) {
	for _, k := range parent.Transitive {
		for _, have := range tags.Keys {
			if strings.EqualFold(have, k) {
				return tags, invalidParameter("One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
			}
		}
	}
	out := sessionTags{Values: map[string]string{}}
	for _, k := range parent.Transitive {
		out.Keys = append(out.Keys, k)
		out.Values[k] = parent.Tags[k]
		out.Transitive = append(out.Transitive, k)
	}
	out.Keys = append(out.Keys, tags.Keys...)
	for k, v := range tags.Values {
		out.Values[k] = v
	}
	out.Transitive = append(out.Transitive, tags.Transitive...)
	return out, nil
}

func (s *Service) AssumeRole(ctx context.Context, in *stsapi.AssumeRoleRequest) (*stsapi.AssumeRoleResponse, error) {
	info := reqctx.From(ctx)
	caller := info.Caller
	arn := protocol.Val(in.RoleArn)
	ref, isRole, err := parseRoleARN(s.partition(ctx), arn)
	if err != nil {
		return nil, err
	}
	// "Roles may not be assumed by root accounts." is AWS's answer to the root user,
	// whatever the trust policy says.
	if caller.Type == reqctx.Account {
		return nil, accessDenied("Roles may not be assumed by root accounts.")
	}
	// Credentials from GetFederationToken call no STS operation but GetCallerIdentity
	// (STS API Reference, GetFederationToken, "Permissions").
	if !isRole || caller.Type == reqctx.FederatedUser {
		return nil, notAuthorized(caller.ARN, "sts:AssumeRole", arn)
	}
	policies, err := parseSessionPolicies(s.partition(ctx), in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(in.Tags, in.TransitiveTagKeys)
	if err != nil {
		return nil, err
	}
	serial, code := protocol.Val(in.SerialNumber), protocol.Val(in.TokenCode)
	if (serial == "") != (code == "") {
		return nil, accessDenied("MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.")
	}
	chained := caller.Type == reqctx.AssumedRole
	session := protocol.Val(in.RoleSessionName)
	now := s.now(ctx)
	var rec storage.SessionRecord
	var packed *int32
	err = s.db.Update(ref.Scope.Account, func(tx *storage.Tx) error {
		role, found, err := getRole(tx, ref)
		if err != nil {
			return err
		}
		if !found {
			return notAuthorized(caller.ARN, "sts:AssumeRole", arn)
		}
		d, err := roleDuration(in.DurationSeconds, role, chained)
		if err != nil {
			return err
		}
		source := protocol.Val(in.SourceIdentity)
		if tags, source, err = fromParent(tx, caller, chained, tags, source); err != nil {
			return err
		}
		if packed, err = checkPacked(policies, tags); err != nil {
			return err
		}
		mfa, err := s.sessionMFA(ctx, tx, caller, serial, code, now)
		if err != nil {
			return err
		}
		rec = s.newSession(ref.Scope.Account, now, d)
		rec.Type = string(reqctx.AssumedRole)
		rec.ARN = ref.Scope.AssumedRole(role.Name, session).String()
		rec.UserID = role.ID + ":" + session
		rec.RoleName, rec.RoleARN, rec.RoleID = role.Name, roleARN(ref.Scope, role), role.ID
		rec.SessionName = session
		rec.Policies, rec.PolicyARNs = policies.records()
		rec.Tags, rec.Transitive = tags.record()
		rec.SourceIdent = source
		rec.Chained = chained
		rec.SourceKeyID = caller.AccessKeyID
		rec.MFA = mfa
		role.LastUsed, role.LastUsedRegion = now, info.Region
		if err := storage.Roles(tx).Put(storage.Key(role.Name), role); err != nil {
			return err
		}
		return putSession(tx, rec)
	})
	if err != nil {
		return nil, err
	}
	out := &stsapi.AssumeRoleResponse{
		AssumedRoleUser:  &stsapi.AssumedRoleUser{Arn: protocol.Ptr(rec.ARN), AssumedRoleId: protocol.Ptr(rec.UserID)},
		Credentials:      wireCredentials(rec),
		PackedPolicySize: packed,
	}
	if rec.SourceIdent != "" {
		out.SourceIdentity = protocol.Ptr(rec.SourceIdent)
	}
	return out, nil
}

// fromParent carries what a role session inherits from the session that assumes it: with role
// chaining its transitive tags ("Chaining roles with session tags"), and always its source
// identity, which cannot be changed ("Monitor and control actions taken with assumed roles").
func fromParent(tx *storage.Tx, caller reqctx.Caller, chained bool, tags sessionTags, source string) (sessionTags, string, error) {
	if !caller.Temporary || caller.SessionID == "" {
		return tags, source, nil
	}
	parent, err := storage.Sessions(tx).Get(caller.SessionID)
	if err != nil && !isNotFound(err) {
		return tags, source, err
	}
	if chained {
		if tags, err = inherit(parent, tags); err != nil {
			return tags, source, err
		}
	}
	if parent.SourceIdent != "" {
		if source != "" && source != parent.SourceIdent {
			return tags, source, accessDenied("The source identity %s cannot be changed: the calling session has source identity %s.", source, parent.SourceIdent)
		}
		source = parent.SourceIdent
	}
	return tags, source, nil
}

// sessionMFA checks the MFA code a request carries (false when it carries none); only an IAM
// user's devices can satisfy it.
func (s *Service) sessionMFA(ctx context.Context, tx *storage.Tx, caller reqctx.Caller, serial, code string, now time.Time) (bool, error) {
	if serial == "" {
		return false, nil
	}
	ok := false
	if caller.Type == reqctx.User {
		var err error
		if ok, err = mfaCheck(tx.In(caller.Account), s.partition(ctx), caller.UserName, serial, code, now); err != nil {
			return false, err
		}
	}
	if !ok {
		return false, accessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code.")
	}
	return true, nil
}

// record is the storage form of the tags: nil maps when there are none.
func (t sessionTags) record() (map[string]string, []string) {
	if len(t.Keys) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(t.Keys))
	for _, k := range t.Keys {
		m[k] = t.Values[k]
	}
	return m, t.Transitive
}
