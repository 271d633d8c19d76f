package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
)

// iamView is the users, groups and roles page of one account.
type iamView struct {
	Account string       `json:"account"`
	Users   []entityView `json:"users"`
	Groups  []entityView `json:"groups"`
	Roles   []entityView `json:"roles"`
}

// entityView is one user, group or role with every policy that applies to it directly.
type entityView struct {
	Name     string            `json:"name"`
	ARN      string            `json:"arn"`
	ID       string            `json:"id"`
	Path     string            `json:"path"`
	Created  time.Time         `json:"created"`
	Tags     map[string]string `json:"tags,omitempty"`
	Groups   []string          `json:"groups,omitempty"`  // a user's groups
	Members  []string          `json:"members,omitempty"` // a group's users
	LastUsed *time.Time        `json:"lastUsed,omitempty"`
	Trust    *policyView       `json:"trust,omitempty"`
	Boundary *policyView       `json:"boundary,omitempty"`
	Policies []policyView      `json:"policies"` // inline, then attached managed policies
}

// policyView is one policy document, pretty-printed, with its statements and the recent
// decisions each statement matched in.
type policyView struct {
	Name string `json:"name"`
	ARN  string `json:"arn,omitempty"`
	// Kind is how it is attached: inline, managed, aws-managed, boundary or trust.
	Kind       string          `json:"kind"`
	Version    string          `json:"version,omitempty"`
	Document   string          `json:"document"`
	Statements []statementView `json:"statements"`
	Matches    int             `json:"matches"` // decisions matched, all statements together
	// Notes is what the policy lint found when this document was stored, if anything.
	Notes *noteView `json:"notes,omitempty"`
}

type statementView struct {
	Index  int           `json:"index"`
	Sid    string        `json:"sid,omitempty"`
	Effect string        `json:"effect"`
	JSON   string        `json:"json"`
	Use    *statementUse `json:"recentUse,omitempty"`
}

func (d *Dashboard) iam(r *http.Request) (any, error) {
	sc, err := d.scopeOf(r)
	if err != nil {
		return nil, err
	}
	details, err := d.authorizationDetails(d.asRoot(r.Context(), sc, "iam"))
	if err != nil {
		return nil, err
	}
	b := iamBuilder{uses: statementUses(d.opts.Decisions.Snapshot(), sc.account), managed: map[string]iamapi.ManagedPolicyDetail{},
		notes: latestNotes(d.policyNotes(), sc.account)}
	for _, p := range details.Policies {
		b.managed[protocol.Val(p.Arn)] = p
	}
	return b.view(sc.account, details), nil
}

// authorizationDetails reads every page of GetAccountAuthorizationDetails: users, groups,
// roles and the managed policies they use, documents included, each page in one transaction.
func (d *Dashboard) authorizationDetails(ctx context.Context) (*iamapi.GetAccountAuthorizationDetailsResponse, error) {
	all := &iamapi.GetAccountAuthorizationDetailsResponse{}
	in := &iamapi.GetAccountAuthorizationDetailsRequest{MaxItems: protocol.Ptr(int32(1000))}
	for {
		page, err := d.opts.IAM.GetAccountAuthorizationDetails(ctx, in)
		if err != nil {
			return nil, err
		}
		all.UserDetailList = append(all.UserDetailList, page.UserDetailList...)
		all.GroupDetailList = append(all.GroupDetailList, page.GroupDetailList...)
		all.RoleDetailList = append(all.RoleDetailList, page.RoleDetailList...)
		all.Policies = append(all.Policies, page.Policies...)
		if !protocol.Val(page.IsTruncated) || protocol.Val(page.Marker) == "" {
			return all, nil
		}
		in.Marker = page.Marker
	}
}

type iamBuilder struct {
	uses    map[statementRef]*statementUse
	managed map[string]iamapi.ManagedPolicyDetail
	notes   map[noteKey]noteView // nil on pages that show no identity policies
}

func (b iamBuilder) view(account string, details *iamapi.GetAccountAuthorizationDetailsResponse) iamView {
	v := iamView{Account: account, Users: []entityView{}, Groups: []entityView{}, Roles: []entityView{}}
	members := map[string][]string{}
	for _, u := range details.UserDetailList {
		name := protocol.Val(u.UserName)
		e := entityView{Name: name, ARN: protocol.Val(u.Arn), ID: protocol.Val(u.UserId), Path: protocol.Val(u.Path),
			Created: protocol.Val(u.CreateDate), Tags: tagMap(u.Tags), Groups: u.GroupList, Boundary: b.boundary(u.PermissionsBoundary)}
		e.Policies = b.entityPolicies("user", name, u.UserPolicyList, u.AttachedManagedPolicies)
		for _, g := range u.GroupList {
			members[g] = append(members[g], name)
		}
		v.Users = append(v.Users, e)
	}
	for _, g := range details.GroupDetailList {
		name := protocol.Val(g.GroupName)
		e := entityView{Name: name, ARN: protocol.Val(g.Arn), ID: protocol.Val(g.GroupId), Path: protocol.Val(g.Path),
			Created: protocol.Val(g.CreateDate), Members: members[name]}
		e.Policies = b.entityPolicies("group", name, g.GroupPolicyList, g.AttachedManagedPolicies)
		v.Groups = append(v.Groups, e)
	}
	for _, r := range details.RoleDetailList {
		name, roleARN := protocol.Val(r.RoleName), protocol.Val(r.Arn)
		e := entityView{Name: name, ARN: roleARN, ID: protocol.Val(r.RoleId), Path: protocol.Val(r.Path),
			Created: protocol.Val(r.CreateDate), Tags: tagMap(r.Tags), Boundary: b.boundary(r.PermissionsBoundary)}
		if r.RoleLastUsed != nil && r.RoleLastUsed.LastUsedDate != nil {
			e.LastUsed = r.RoleLastUsed.LastUsedDate
		}
		// A trust policy is labelled with its role's ARN in decisions (authorize.trustPolicy).
		trust := b.policy(policyView{Name: "trust policy", Kind: "trust"}, roleARN, "trust", decodeDocument(protocol.Val(r.AssumeRolePolicyDocument)))
		e.Trust = &trust
		e.Policies = b.entityPolicies("role", name, r.RolePolicyList, r.AttachedManagedPolicies)
		v.Roles = append(v.Roles, e)
	}
	return v
}

// entityPolicies are an entity's inline policies, labelled kind/entity/policy as the
// authorizer labels them (policyset.entityPolicies), then its attached managed policies.
func (b iamBuilder) entityPolicies(kind, entity string, inline []iamapi.PolicyDetail, attached []iamapi.AttachedPolicy) []policyView {
	out := []policyView{}
	for _, p := range inline {
		name := protocol.Val(p.PolicyName)
		label := fmt.Sprintf("%s/%s/%s", kind, entity, name)
		out = append(out, b.policy(policyView{Name: name, Kind: "inline"}, label, "identity", decodeDocument(protocol.Val(p.PolicyDocument))))
	}
	for _, a := range attached {
		out = append(out, b.managedPolicy(protocol.Val(a.PolicyArn), "identity"))
	}
	return out
}

func (b iamBuilder) boundary(pb *iamapi.AttachedPermissionsBoundary) *policyView {
	if pb == nil || protocol.Val(pb.PermissionsBoundaryArn) == "" {
		return nil
	}
	v := b.managedPolicy(protocol.Val(pb.PermissionsBoundaryArn), "boundary")
	v.Kind = "boundary"
	return &v
}

// managedPolicy is a managed policy's default version, playing typ (identity or boundary).
func (b iamBuilder) managedPolicy(policyARN, typ string) policyView {
	v := policyView{ARN: policyARN, Kind: "managed"}
	if a, err := arn.Parse(policyARN); err == nil {
		v.Name = a.Resource[strings.LastIndex(a.Resource, "/")+1:]
		if a.Account == "aws" {
			v.Kind = "aws-managed"
		}
	}
	doc := ""
	if p, ok := b.managed[policyARN]; ok {
		v.Name, v.Version = protocol.Val(p.PolicyName), protocol.Val(p.DefaultVersionId)
		for _, pv := range p.PolicyVersionList {
			if protocol.Val(pv.IsDefaultVersion) {
				doc = decodeDocument(protocol.Val(pv.Document))
			}
		}
	}
	return b.policy(v, policyARN, typ, doc)
}

// policy fills v with doc, pretty-printed, and its statements' recent use.
func (b iamBuilder) policy(v policyView, label, typ, doc string) policyView {
	v.Document = pretty(doc)
	if n, ok := b.notes[noteKey{label: label, version: v.Version}]; ok && typ != "trust" && typ != "resource" {
		v.Notes = &n
	}
	v.Statements = []statementView{}
	for i, raw := range statements(doc) {
		var head struct{ Sid, Effect string }
		_ = json.Unmarshal(raw, &head) // a statement that is not an object shows as it is
		s := statementView{Index: i, Sid: head.Sid, Effect: head.Effect, JSON: pretty(string(raw))}
		if u := b.uses[statementRef{policy: label, typ: typ, index: i}]; u != nil {
			s.Use = u
			v.Matches += u.Count
		}
		v.Statements = append(v.Statements, s)
	}
	return v
}

// decodeDocument undoes IAM's URL encoding of documents (RFC 3986: a space is %20, so a
// literal + stays +).
func decodeDocument(encoded string) string {
	doc, err := url.PathUnescape(encoded)
	if err != nil {
		return encoded
	}
	return doc
}

// statements splits a document into its statements in order: Statement is an array or a
// single object, which the engine numbers 0 (authz.StmtRef.Index). Members keep their order.
func statements(doc string) []json.RawMessage {
	var top struct{ Statement json.RawMessage }
	if json.Unmarshal([]byte(doc), &top) != nil || len(top.Statement) == 0 {
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(top.Statement, &list) == nil {
		return list
	}
	return []json.RawMessage{top.Statement}
}

// pretty indents a JSON document, keeping its members' order; text that is not JSON is
// returned as it is.
func pretty(doc string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(doc), "", "  ") != nil {
		return doc
	}
	return b.String()
}

func tagMap(tags []iamapi.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[protocol.Val(t.Key)] = protocol.Val(t.Value)
	}
	return m
}
