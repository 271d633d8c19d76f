package iam

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/emulator/policyset"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy (IAM API Reference) list
// "all of the context keys referenced" by policies, so that a caller knows which ContextEntries a
// simulation needs. What AWS returns, from the examples of the AWS CLI reference
// (get-context-keys-for-custom-policy, get-context-keys-for-principal-policy): the keys as written
// in the documents (aws:CurrentTime keeps its capitals), in document order, each once, and the
// policy variables of Resource elements count too: a policy on
// arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username} with a DateGreaterThan on
// aws:CurrentTime answers [aws:username, aws:CurrentTime].
//
// Choices where the references say nothing:
//   - A key is the condition key itself, whatever the operator: ForAnyValue:/ForAllValues:
//     qualifiers and the IfExists suffix belong to the operator, Null keys count as well.
//   - Variables count wherever the engine expands them: Resource, NotResource and condition
//     values, in 2012-10-17 documents only (in 2008-10-17 documents ${...} is literal text).
//     The special variables ${*}, ${?} and ${$} are not keys.
//   - Duplicates are removed by exact spelling, so aws:username and aws:UserName both appear.
//   - GetContextKeysForPrincipalPolicy reads the policies "attached to" the entity (inline and
//     managed, and a user's groups'), then the PolicyInputList; the permissions boundary is not
//     an attached policy and is left out.

// GetContextKeysForCustomPolicy lists the context keys the given policies reference.
func (s *Service) GetContextKeysForCustomPolicy(ctx context.Context, in *iamapi.GetContextKeysForCustomPolicyRequest) (*iamapi.GetContextKeysForPolicyResponse, error) {
	docs, err := simInputDocuments(s.names(ctx).Partition, in.PolicyInputList)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetContextKeysForPolicyResponse{ContextKeyNames: contextKeyNames(docs)}, nil
}

// GetContextKeysForPrincipalPolicy lists the context keys of a user's, group's or role's
// policies (a user's groups included) and of the given policies.
func (s *Service) GetContextKeysForPrincipalPolicy(ctx context.Context, in *iamapi.GetContextKeysForPrincipalPolicyRequest) (*iamapi.GetContextKeysForPolicyResponse, error) {
	src, err := parseSourceARN(account(ctx), protocol.Val(in.PolicySourceArn))
	if err != nil {
		return nil, err
	}
	extra, err := simInputDocuments(s.names(ctx).Partition, in.PolicyInputList)
	if err != nil {
		return nil, err
	}
	var docs []string
	err = s.view(ctx, func(tx *storage.Tx) error {
		e, err := loadSimEntity(tx, policyset.NewCache(0), src)
		if err != nil {
			return err
		}
		for _, p := range e.identity {
			docs = append(docs, p.doc)
		}
		return nil
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.GetContextKeysForPolicyResponse{ContextKeyNames: contextKeyNames(append(docs, extra...))}, nil
}

// simInputDocuments checks policies passed as strings as IAM checks identity policies on write.
func simInputDocuments(partition string, list []string) ([]string, error) {
	for _, doc := range list {
		if _, err := (authz.Parser{Partition: partition}).Parse(doc, authz.KindIdentity); err != nil {
			return nil, malformed(err)
		}
	}
	return list, nil
}

// contextKeyNames is the ordered, duplicate-free list of keys of docs (never nil: IAM sends an
// empty ContextKeyNames element when there is none).
func contextKeyNames(docs []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, doc := range docs {
		for _, k := range outlineDocument(doc).keys {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// docPosition is a place in a policy document as the simulator reports it: 1-based line and
// column, columns counted in characters, a line ending at "\n", "\r\n" or a lone "\r".
type docPosition struct{ line, col int32 }

// stmtSpan is where a statement is in its document, as SimulatePrincipalPolicy and
// SimulateCustomPolicy report it in StartPosition and EndPosition.
//
// AWS's positions are those of a streaming JSON reader (its "current location") just before it
// reads a statement and just after: the end is the column after the statement's closing brace;
// the start is the column after the "[" for the first statement of a list, the end of the
// previous statement for the next ones (so a "," sits between), and the column after the
// opening brace of a statement written as a single object. Evidence: the AWS CLI reference
// example of simulate-custom-policy ({"Version":"2012-10-17","Statement":{...}} of 167
// characters: Line 1 Column 38 to Line 1 Column 167), public captures of AdministratorAccess
// (Line 3 Column 17 to Line 8 Column 6: after "[" on the "Statement" line, after the "}" of
// the only statement) and of a two-statement S3 bucket policy (the second statement starts at
// the column where the first one ends).
type stmtSpan struct{ start, end docPosition }

// docOutline is what the simulator needs from a document's text: statement spans, in the order
// authz numbers statements, and the context keys, in document order (with repeats).
type docOutline struct {
	spans []stmtSpan
	keys  []string
}

// outlineDocument reads a document that authz.Parse accepted. Documents it cannot read give an
// empty outline (no positions, no keys) rather than an error: the policy itself was accepted.
func outlineDocument(doc string) docOutline {
	o := &outliner{doc: doc, dec: json.NewDecoder(strings.NewReader(doc))}
	o.dec.UseNumber()
	var out docOutline
	if !o.delim('{') {
		return out
	}
	version := authz.Version2008
	var keys []ctxKey
	for o.dec.More() {
		name, ok := o.string()
		if !ok {
			return out
		}
		switch name {
		case "Statement":
			spans, ks, ok := o.statements()
			if !ok {
				return docOutline{}
			}
			out.spans, keys = spans, ks // the last Statement wins, as in authz
		case "Version":
			var v any
			if o.dec.Decode(&v) != nil {
				return docOutline{}
			}
			if s, ok := v.(string); ok {
				version = s
			}
		default:
			if o.skip() != nil {
				return docOutline{}
			}
		}
	}
	for _, k := range keys {
		if !k.variable || version == authz.Version2012 {
			out.keys = append(out.keys, k.name)
		}
	}
	return out
}

// ctxKey is a key found in a statement; variables only count in 2012-10-17 documents.
type ctxKey struct {
	name     string
	variable bool
}

type outliner struct {
	doc string
	dec *json.Decoder
}

func (o *outliner) delim(want json.Delim) bool {
	t, err := o.dec.Token()
	return err == nil && t == want
}

func (o *outliner) string() (string, bool) {
	t, err := o.dec.Token()
	s, ok := t.(string)
	return s, err == nil && ok
}

func (o *outliner) skip() error {
	var raw json.RawMessage
	return o.dec.Decode(&raw)
}

// at converts the decoder's current byte offset into a position.
func (o *outliner) at() docPosition {
	off := int(o.dec.InputOffset())
	line, col := int32(1), int32(1)
	for i := 0; i < off && i < len(o.doc); {
		switch c := o.doc[i]; c {
		case '\n':
			line, col = line+1, 1
			i++
		case '\r':
			line, col = line+1, 1
			i++
			if i < len(o.doc) && o.doc[i] == '\n' {
				i++
			}
		default:
			_, n := utf8.DecodeRuneInString(o.doc[i:])
			col++
			i += n
		}
	}
	return docPosition{line, col}
}

// statements reads the value of Statement: one object or a list of objects.
func (o *outliner) statements() ([]stmtSpan, []ctxKey, bool) {
	t, err := o.dec.Token()
	if err != nil {
		return nil, nil, false
	}
	switch t {
	case json.Delim('{'):
		start := o.at()
		keys, ok := o.statementBody()
		if !ok {
			return nil, nil, false
		}
		return []stmtSpan{{start, o.at()}}, keys, true
	case json.Delim('['):
		var spans []stmtSpan
		var keys []ctxKey
		prev := o.at()
		for o.dec.More() {
			if !o.delim('{') {
				return nil, nil, false
			}
			ks, ok := o.statementBody()
			if !ok {
				return nil, nil, false
			}
			end := o.at()
			spans = append(spans, stmtSpan{prev, end})
			keys = append(keys, ks...)
			prev = end
		}
		return spans, keys, o.delim(']')
	}
	return nil, nil, false
}

// statementBody reads a statement after its opening brace, up to and including the closing
// one, collecting variables of Resource and NotResource and the keys of Condition.
func (o *outliner) statementBody() ([]ctxKey, bool) {
	var keys []ctxKey
	for o.dec.More() {
		name, ok := o.string()
		if !ok {
			return nil, false
		}
		switch name {
		case "Resource", "NotResource":
			var v any
			if o.dec.Decode(&v) != nil {
				return nil, false
			}
			keys = appendVariables(keys, v)
		case "Condition":
			ks, ok := o.condition()
			if !ok {
				return nil, false
			}
			keys = append(keys, ks...)
		default:
			if o.skip() != nil {
				return nil, false
			}
		}
	}
	return keys, o.delim('}')
}

// condition reads a Condition block in order: operator, then key, then values.
func (o *outliner) condition() ([]ctxKey, bool) {
	if !o.delim('{') {
		return nil, false
	}
	var keys []ctxKey
	for o.dec.More() {
		if _, ok := o.string(); !ok || !o.delim('{') {
			return nil, false
		}
		for o.dec.More() {
			key, ok := o.string()
			if !ok {
				return nil, false
			}
			keys = append(keys, ctxKey{name: key})
			var v any
			if o.dec.Decode(&v) != nil {
				return nil, false
			}
			keys = appendVariables(keys, v)
		}
		if !o.delim('}') {
			return nil, false
		}
	}
	return keys, o.delim('}')
}

// appendVariables adds the policy variables of a string or list of strings, parsed by the
// tokenizer authz evaluates with.
func appendVariables(keys []ctxKey, v any) []ctxKey {
	switch v := v.(type) {
	case string:
		for _, k := range authz.PolicyVariables(v) {
			keys = append(keys, ctxKey{name: k, variable: true})
		}
	case []any:
		for _, e := range v {
			keys = appendVariables(keys, e)
		}
	}
	return keys
}

// The policies of a PolicySourceArn, shared by the simulator and GetContextKeysForPrincipalPolicy.

// simSource is a parsed PolicySourceArn.
type simSource struct{ kind, path, name, arn string }

// parseSourceARN reads the ARN of a user, group or role of the caller's account, with the texts
// IAM answers: "Invalid Entity Arn: arn:aws:sts::123456789012:assumed-role/... does not clearly
// define entity type and name." and, for another account, "Invalid Policy Source Arn: caller's
// account 908419136182 does not have access to policies in account ..." (both quoted from
// SimulatePrincipalPolicy failures).
func parseSourceARN(acct, text string) (simSource, error) {
	invalid := iamapi.ErrInvalidInput("Invalid Entity Arn: %s does not clearly define entity type and name.", text)
	a, err := arn.Parse(text)
	if err != nil || a.Service != "iam" || a.Region != "" {
		return simSource{}, invalid
	}
	kind, path, name, _ := arn.SplitIAMResource(a.Resource)
	if kind != storage.KindUser && kind != storage.KindGroup && kind != storage.KindRole || name == "" {
		return simSource{}, invalid
	}
	if a.Account != acct {
		return simSource{}, iamapi.ErrInvalidInput("Invalid Policy Source Arn: caller's account %s does not have access to policies in account %s", acct, a.Account)
	}
	return simSource{kind: kind, path: path, name: name, arn: text}, nil
}

// simEntity is the stored policies of a PolicySourceArn.
type simEntity struct {
	identity []simPolicy
	boundary *simPolicy
}

// loadSimEntity collects an entity's policies as the request authorizer does (a user's include
// its groups'), with each document's text for the positions of matched statements.
func loadSimEntity(tx *storage.Tx, cache *policyset.Cache, src simSource) (simEntity, error) {
	var set authz.PolicySet
	var path string
	var err error
	switch src.kind {
	case storage.KindUser:
		var u storage.UserRecord
		if u, err = storage.Users(tx).Get(storage.Key(src.name)); err == nil {
			path = u.Path
			set, _, err = policyset.ForUser(tx, cache, u.Name)
		}
		if isNotFound(err) || err == nil && path != src.path {
			return simEntity{}, noSuchSource(src)
		}
	case storage.KindRole:
		var r storage.RoleRecord
		if r, err = storage.Roles(tx).Get(storage.Key(src.name)); err == nil {
			path = r.Path
			set, _, err = policyset.ForRole(tx, cache, r.Name)
		}
		if isNotFound(err) || err == nil && path != src.path {
			return simEntity{}, noSuchSource(src)
		}
	default:
		var g storage.GroupRecord
		if g, err = storage.Groups(tx).Get(storage.Key(src.name)); err == nil {
			path = g.Path
			set.Identity, err = simGroupPolicies(tx, cache, g.Name)
		}
		if isNotFound(err) || err == nil && path != src.path {
			return simEntity{}, noSuchSource(src)
		}
	}
	if err != nil {
		return simEntity{}, simEvaluationError(err)
	}
	var e simEntity
	for _, n := range set.Identity {
		p, err := simDescribePolicy(tx, n, srcIdentity)
		if err != nil {
			return simEntity{}, err
		}
		e.identity = append(e.identity, p)
	}
	if set.Boundary != nil {
		p, err := simDescribePolicy(tx, *set.Boundary, srcBoundary)
		if err != nil {
			return simEntity{}, err
		}
		e.boundary = &p
	}
	return e, nil
}

// noSuchSource is IAM's NoSuchEntity text for a user, group or role ("The role with name
// DeveloperRole cannot be found.", quoted from SimulatePrincipalPolicy).
func noSuchSource(src simSource) error {
	return iamapi.ErrNoSuchEntity("The %s with name %s cannot be found.", src.kind, src.name)
}

// simEvaluationError reports a stored policy the engine cannot compile as PolicyEvaluation ("a
// provided policy could not be successfully evaluated").
func simEvaluationError(err error) error {
	var m *authz.MalformedError
	if errors.As(err, &m) {
		return iamapi.ErrPolicyEvaluation("%s", m.Message)
	}
	return err
}

// simDescribePolicy names a policy collected by policyset (inline "<kind>/<entity>/<policy>",
// managed by ARN) as the simulator reports it, and reads its document.
func simDescribePolicy(tx *storage.Tx, n authz.Named, typ string) (simPolicy, error) {
	p := simPolicy{named: n, typ: typ}
	var err error
	if managed, parseErr := arn.Parse(n.Name); parseErr == nil {
		_, _, p.id, _ = arn.SplitIAMResource(managed.Resource)
		p.doc, err = policyset.ManagedDocument(tx, n.Name)
	} else {
		kind, rest, _ := strings.Cut(n.Name, "/")
		entity, name, _ := strings.Cut(rest, "/")
		p.id = kind + "_" + entity + "_" + name
		var rec storage.InlinePolicyRecord
		rec, err = storage.EntityScope(tx, kind, entity).InlinePolicies().Get(name)
		p.doc = rec.Document
	}
	return p, err
}

// simGroupPolicies collects a group's inline and attached policies, named as policyset names them.
func simGroupPolicies(tx *storage.Tx, cache *policyset.Cache, group string) ([]authz.Named, error) {
	var out []authz.Named
	add := func(name, doc string) error {
		p, err := cache.Compile(doc, authz.KindIdentity)
		if err == nil {
			out = append(out, authz.Named{Name: name, Policy: p})
		}
		return err
	}
	g := storage.GroupScope(tx, group)
	inline, err := g.InlinePolicies().List()
	if err != nil {
		return nil, err
	}
	for _, p := range inline {
		if err := add(storage.KindGroup+"/"+group+"/"+p.Name, p.Document); err != nil {
			return nil, err
		}
	}
	attached, err := g.Attachments().List()
	if err != nil {
		return nil, err
	}
	for _, a := range attached {
		arn := a.PolicyARN
		doc, err := policyset.ManagedDocument(tx, arn)
		if isNotFound(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		if err := add(arn, doc); err != nil {
			return nil, err
		}
	}
	return out, nil
}
