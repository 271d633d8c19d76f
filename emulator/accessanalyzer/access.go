package accessanalyzer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/iamlocal/iamlocal/api/accessanalyzerapi"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/protocol"
)

// The results' texts are AWS's (the examples of the AWS CLI and SDK references quote them:
// "The policy document does not grant access to perform the listed actions.", "New access in
// the statement with index: 0.", "Public access granted in the following statement with sid:
// Bob."); where only one form is on record, the other follows it.

// reason names the statement a check failed on, by Sid when it has one.
func reason(prefix string, st stmtSpec) accessanalyzerapi.ReasonSummary {
	r := accessanalyzerapi.ReasonSummary{StatementIndex: protocol.Ptr(int32(st.index))}
	if st.sid != "" {
		r.Description = protocol.Ptr(fmt.Sprintf("%s with sid: %s.", prefix, st.sid))
		r.StatementId = protocol.Ptr(st.sid)
		return r
	}
	r.Description = protocol.Ptr(fmt.Sprintf("%s with index: %d.", prefix, st.index))
	return r
}

func result(fail bool) *string {
	if fail {
		return protocol.Ptr("FAIL")
	}
	return protocol.Ptr("PASS")
}

// CheckAccessNotGranted fails when the policy might allow one of the listed actions (on one of
// the listed resources): a statement's conditions are taken as met.
func (s *Service) CheckAccessNotGranted(_ context.Context, in *accessanalyzerapi.CheckAccessNotGrantedRequest) (*accessanalyzerapi.CheckAccessNotGrantedResponse, error) {
	policyType := protocol.Val(in.PolicyType)
	p, err := readPolicy(protocol.Val(in.PolicyDocument), policyType)
	if err != nil {
		return nil, err
	}
	var access accessanalyzerapi.Access
	if len(in.Access) > 0 {
		access = in.Access[0]
	}
	if len(access.Actions) == 0 && len(access.Resources) == 0 {
		return nil, accessanalyzerapi.ErrInvalidParameter("The access list must name at least one action or resource.")
	}
	what := "actions"
	if p.resource {
		what = "actions or resources"
	}
	var reasons []accessanalyzerapi.ReasonSummary
	for _, st := range p.stmts {
		if !st.allow {
			continue
		}
		actions := candidates(access.Actions, st.actions, st.notAction, "iamlocal:"+filler, true)
		resources := candidates(access.Resources, st.resources, st.notResource || st.noResource, "*", false)
		if p.grants(st, actions, resources, nil, nil) {
			reasons = append(reasons, reason("One or more of the listed "+what+" in the statement", st))
		}
	}
	out := &accessanalyzerapi.CheckAccessNotGrantedResponse{Result: result(len(reasons) > 0), Reasons: reasons,
		Message: protocol.Ptr("The policy document does not grant access to perform the listed " + what + ".")}
	if len(reasons) > 0 {
		out.Message = protocol.Ptr("The policy document grants access to perform one or more of the listed " + what + ".")
	}
	return out, nil
}

// grants reports whether a probe of the statement is allowed by the policy through that
// statement.
func (p *policyUnderTest) grants(st stmtSpec, actions, resources []string, fixed map[string][]string, restricted func(string) bool) bool {
	for _, req := range p.probes(st, actions, resources, fixed, restricted) {
		if ok, by := p.allows(req); ok && slices.Contains(by, st.index) {
			return true
		}
	}
	return false
}

// probes are the requests a statement suggests, with its conditions met.
func (p *policyUnderTest) probes(st stmtSpec, actions, resources []string, fixed map[string][]string, restricted func(string) bool) []authz.Request {
	principals := []authz.Principal{probeCaller()}
	if p.resource {
		principals = principalsOf(st, outsider(nil))
	}
	return requests(actions, resources, principals, satisfy(st.conditions, fixed, restricted))
}

// CheckNoNewAccess fails when the new policy allows a request the existing one does not: each
// statement of the new one is probed and the probe decided against both.
func (s *Service) CheckNoNewAccess(_ context.Context, in *accessanalyzerapi.CheckNoNewAccessRequest) (*accessanalyzerapi.CheckNoNewAccessResponse, error) {
	policyType := protocol.Val(in.PolicyType)
	newPolicy, err := readPolicy(protocol.Val(in.NewPolicyDocument), policyType)
	if err != nil {
		return nil, err
	}
	existing, err := readPolicy(protocol.Val(in.ExistingPolicyDocument), policyType)
	if err != nil {
		return nil, err
	}
	var reasons []accessanalyzerapi.ReasonSummary
	for _, st := range newPolicy.stmts {
		if st.allow && newPolicy.newAccess(st, existing) {
			reasons = append(reasons, reason("New access in the statement", st))
		}
	}
	out := &accessanalyzerapi.CheckNoNewAccessResponse{Result: result(len(reasons) > 0), Reasons: reasons,
		Message: protocol.Ptr("The modified permissions do not grant new access compared to your existing policy.")}
	if len(reasons) > 0 {
		out.Message = protocol.Ptr("The modified permissions grant new access compared to your existing policy.")
	}
	return out, nil
}

func (p *policyUnderTest) newAccess(st stmtSpec, existing *policyUnderTest) bool {
	actions := candidates(nil, st.actions, st.notAction, "iamlocal:"+filler, true)
	resources := candidates(nil, st.resources, st.notResource || st.noResource, "*", false)
	// What the existing policy names within the statement's reach is asked too: an action its
	// Deny takes away, a resource it narrows an allow to.
	for _, other := range existing.stmts {
		actions = appendCovered(actions, other.actions, st.actions, st.notAction, true)
		resources = appendCovered(resources, other.resources, st.resources, st.notResource || st.noResource, false)
	}
	for _, req := range p.probes(st, actions, resources, nil, nil) {
		if ok, by := p.allows(req); !ok || !slices.Contains(by, st.index) {
			continue // a probe this statement does not allow says nothing of it
		}
		if ok, _ := existing.allows(req); !ok {
			return true
		}
	}
	return false
}

// appendCovered adds the witnesses of patterns that the statement element (patterns, or all
// but them when not) matches.
func appendCovered(out, patterns, element []string, not, fold bool) []string {
	for _, p := range patterns {
		for _, w := range witnesses(p) {
			named := slices.ContainsFunc(element, func(e string) bool { return globMatch(e, w, fold) })
			covered := named
			if not || len(element) == 0 { // all but the named; an absent element is all
				covered = !named
			}
			if covered && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// CheckNoPublicAccess fails when a statement allows a caller of an account the policy does not
// name, whatever the request context it controls (its address, transport, time, the request's
// parameters) and with the context it does not (its own account and identity, the source of a
// service's call, the network it comes from), as AWS calls a resource public.
func (s *Service) CheckNoPublicAccess(_ context.Context, in *accessanalyzerapi.CheckNoPublicAccessRequest) (*accessanalyzerapi.CheckNoPublicAccessResponse, error) {
	doc := protocol.Val(in.PolicyDocument)
	p, err := readPolicy(doc, "RESOURCE_POLICY")
	if err != nil {
		return nil, err
	}
	caller := outsider(func(account string) bool { return strings.Contains(doc, account) })
	fixed := outsiderContext(caller)
	var reasons []accessanalyzerapi.ReasonSummary
	for _, st := range p.stmts {
		if !st.allow || !(st.anyPrincipal || st.notPrincipal) {
			continue // a statement naming its principals grants them, not the public
		}
		actions := candidates(nil, st.actions, st.notAction, "iamlocal:"+filler, true)
		resources := candidates(nil, st.resources, st.notResource || st.noResource, "*", false)
		for _, req := range requests(actions, resources, []authz.Principal{caller}, satisfy(st.conditions, fixed, callerCannotChoose)) {
			if ok, by := p.allows(req); ok && slices.Contains(by, st.index) {
				reasons = append(reasons, reason("Public access granted in the following statement", st))
				break
			}
		}
	}
	out := &accessanalyzerapi.CheckNoPublicAccessResponse{Result: result(len(reasons) > 0), Reasons: reasons,
		Message: protocol.Ptr("The resource policy does not grant public access for the given resource type.")}
	if len(reasons) > 0 {
		out.Message = protocol.Ptr("The resource policy grants public access for the given resource type.")
	}
	return out, nil
}

// outsider is a caller from an account no policy names: the first of a few unlikely ids that
// named does not report.
func outsider(named func(account string) bool) authz.Principal {
	account := "999999999999"
	for _, candidate := range []string{"999999999999", "999999999998", "999999999997"} {
		if named == nil || !named(candidate) {
			account = candidate
			break
		}
	}
	return authz.Principal{ARN: "arn:aws:iam::" + account + ":user/" + filler, Account: account}
}

// outsiderContext is what a request of the outsider says of it.
func outsiderContext(p authz.Principal) map[string][]string {
	return map[string][]string{
		"aws:PrincipalArn": {p.ARN}, "aws:PrincipalAccount": {p.Account}, "aws:PrincipalType": {"User"},
		"aws:userid": {"AIDA" + filler}, "aws:username": {filler}, "aws:PrincipalIsAWSService": {"false"},
		"aws:SourceIp": {"192.0.2.123"},
	}
}

// callerCannotChoose are the keys that describe who calls and from where, which a policy
// uses to restrict access to known parties (the S3 User Guide's "The meaning of public" lists
// the ones that make a policy not public): a public caller has its own values or none.
func callerCannotChoose(key string) bool {
	k := strings.ToLower(key)
	for _, prefix := range []string{"aws:principal", "aws:source", "aws:vpcsourceip", "aws:userid", "aws:username",
		"aws:resourceaccount", "aws:resourceorg", "aws:calledvia", "aws:viaawsservice", "aws:federatedprovider",
		"lambda:sourcefunctionarn", "ec2:sourceinstancearn", "ssm:sourceinstancearn"} {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}
