package authz

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/iamlocal/iamlocal/arn"
)

// The policy language versions ("IAM JSON policy elements: Version").
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Parse parses and validates a policy document as IAM does on write, and
// compiles it for Evaluate. Errors are *MalformedError whose Message is IAM's
// MalformedPolicyDocument text. Principals are checked for form only; the
// caller checks that they exist.
//
// Identity, boundary and session policies share IAM's permission-policy
// grammar; a resource policy additionally needs a Principal; a trust policy
// needs a Principal, forbids Resource and allows only sts: actions. An unknown
// kind is treated as KindIdentity.
//
// Parse is the aws partition's IAM: Parser{}.Parse.
func Parse(doc string, kind Kind) (*Policy, error) { return Parser{}.Parse(doc, kind) }

// ParseManaged is Parser{}.ParseManaged.
func ParseManaged(doc string) (*Policy, error) { return Parser{}.ParseManaged(doc) }

// Parser parses policy documents as the IAM of one partition does: its ARNs are the only ones
// a policy may name ("Amazon Resource Names (ARNs)": each account is scoped to one partition;
// IAM rejects others with `Partition "aws-cn" is not valid for resource ...`). The zero
// value is the aws partition's.
type Parser struct {
	// Partition is the partition a Resource ARN must be able to match and an AWS principal ARN
	// must name; "" is "aws".
	Partition string
	// AnyPartition accepts every partition AWS defines instead: for documents validated when
	// they were written, and AWS managed policies, whose documents name aws resources in
	// every partition iamlocal emulates.
	AnyPartition bool
}

// Parse parses and validates a policy document as kind (see the package-level Parse).
func (p Parser) Parse(doc string, kind Kind) (*Policy, error) {
	if kind < KindIdentity || kind > KindSession {
		kind = KindIdentity
	}
	return p.parse(doc, kind, false)
}

// ParseManaged parses a customer managed policy document as CreatePolicy and
// CreatePolicyVersion do: like Parse(doc, KindIdentity), and the document
// must also declare Version 2012-10-17. The result may serve as an identity
// policy, a permissions boundary or a session policy.
func (p Parser) ParseManaged(doc string) (*Policy, error) {
	return p.parse(doc, KindIdentity, true)
}

// partitionMatches reports whether a policy's partition field (a pattern in Resource, exact
// text in a principal) can name the parser's partition.
func (p Parser) partitionMatches(field string, pattern bool) bool {
	partitions := []string{p.Partition}
	switch {
	case p.AnyPartition:
		partitions = arn.Partitions()
	case p.Partition == "":
		partitions = []string{arn.DefaultPartition}
	}
	for _, want := range partitions {
		if pattern && globMatchSimple(field, want) || field == want {
			return true
		}
	}
	return false
}

// rawStmt is one statement as decoded JSON.
type rawStmt map[string]any

var topKeys = map[string]bool{"Version": true, "Id": true, "Statement": true}

var stmtKeys = map[string]bool{
	"Sid": true, "Effect": true, "Action": true, "NotAction": true, "Resource": true,
	"NotResource": true, "Principal": true, "NotPrincipal": true, "Condition": true,
}

func decodeJSON(doc string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

func (p Parser) parse(doc string, kind Kind, managed bool) (*Policy, error) {
	v, ok := decodeJSON(doc)
	if !ok {
		if kind == KindTrust {
			return nil, malformed(msgInvalidJSON)
		}
		return nil, malformed(msgSyntax)
	}
	top, stmts, err := checkSyntax(v, kind)
	if err != nil {
		return nil, err
	}
	version := Version2008
	if s, ok := top["Version"].(string); ok {
		version = s
	}
	switch kind {
	case KindTrust:
		if err := checkTrust(stmts); err != nil {
			return nil, err
		}
	case KindResource:
		for _, st := range stmts {
			if !has(st, "Principal") && !has(st, "NotPrincipal") {
				return nil, malformed(msgMissingPrincipal)
			}
		}
	default:
		for _, st := range stmts {
			if has(st, "Principal") || has(st, "NotPrincipal") {
				return nil, malformed(msgPrincipalForbidden)
			}
		}
	}
	if managed && version != Version2012 {
		return nil, malformed(msgManagedVersion)
	}
	if err := p.checkLegacy(stmts, version); err != nil {
		return nil, err
	}
	if err := checkSids(stmts, kind); err != nil {
		return nil, err
	}
	if kind != KindTrust {
		if err := p.checkPermissionStatements(stmts); err != nil {
			return nil, err
		}
	}
	if kind == KindResource || kind == KindTrust {
		for _, st := range stmts {
			if err := p.checkPrincipal(st); err != nil {
				return nil, err
			}
		}
	}
	pol := &Policy{Version: version, Kind: kind}
	pol.ID, _ = top["Id"].(string)
	vars := version == Version2012
	for _, st := range stmts {
		pol.Statements = append(pol.Statements, compileStatement(st, vars))
	}
	return pol, nil
}

func has(m rawStmt, k string) bool { _, ok := m[k]; return ok }

// checkSyntax checks the document's shape: known keys, value types, Effect
// spelling, condition operators. Trust policies report some missing fields
// by name instead (see checkTrust), so those are left to it.
func checkSyntax(v any, kind Kind) (map[string]any, []rawStmt, error) {
	syntax := malformed(msgSyntax)
	top, ok := v.(map[string]any)
	if !ok {
		return nil, nil, syntax
	}
	for k := range top {
		if !topKeys[k] {
			return nil, nil, syntax
		}
	}
	if ver, ok := top["Version"]; ok {
		s, isStr := ver.(string)
		if !isStr || (s != Version2012 && s != Version2008) {
			return nil, nil, syntax
		}
	}
	if id, ok := top["Id"]; ok {
		if _, isStr := id.(string); !isStr {
			return nil, nil, syntax
		}
	}
	var stmts []rawStmt
	switch s := top["Statement"].(type) {
	case map[string]any:
		stmts = append(stmts, s)
	case []any:
		for _, e := range s {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, nil, syntax
			}
			stmts = append(stmts, m)
		}
	default:
		return nil, nil, syntax
	}
	if len(stmts) == 0 {
		return nil, nil, syntax
	}
	for _, st := range stmts {
		if err := checkStatementSyntax(st, kind); err != nil {
			return nil, nil, err
		}
	}
	return top, stmts, nil
}

func checkStatementSyntax(st rawStmt, kind Kind) error {
	syntax := malformed(msgSyntax)
	for k := range st {
		if !stmtKeys[k] {
			return syntax
		}
	}
	if (has(st, "Action") && has(st, "NotAction")) || (has(st, "Resource") && has(st, "NotResource")) ||
		(has(st, "Principal") && has(st, "NotPrincipal")) {
		return syntax
	}
	if e, ok := st["Effect"]; ok {
		s, isStr := e.(string)
		if !isStr || (!strings.EqualFold(s, "Allow") && !strings.EqualFold(s, "Deny")) {
			return syntax
		}
	} else if kind != KindTrust {
		return syntax
	}
	if sid, ok := st["Sid"]; ok {
		if _, isStr := sid.(string); !isStr {
			return syntax
		}
	}
	for _, k := range []string{"Action", "NotAction", "Resource", "NotResource"} {
		if v, ok := st[k]; ok {
			if _, ok := stringList(v); !ok {
				return syntax
			}
		}
	}
	for _, k := range []string{"Principal", "NotPrincipal"} {
		if v, ok := st[k]; ok && !principalShapeOK(v) {
			return syntax
		}
	}
	if c, ok := st["Condition"]; ok {
		if err := checkConditionSyntax(c); err != nil {
			return err
		}
	}
	return nil
}

// stringList accepts a string or an array of strings.
func stringList(v any) ([]string, bool) {
	switch t := v.(type) {
	case string:
		return []string{t}, true
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// scalarList accepts condition values: strings, numbers and booleans, alone
// or in an array. IAM accepts unquoted booleans and numbers
// ("Bool": {"aws:SecureTransport": false}).
func scalarList(v any) ([]string, bool) {
	one := func(e any) (string, bool) {
		switch t := e.(type) {
		case string:
			return t, true
		case json.Number:
			return t.String(), true
		case bool:
			if t {
				return "true", true
			}
			return "false", true
		}
		return "", false
	}
	if arr, ok := v.([]any); ok {
		out := make([]string, 0, len(arr))
		for _, e := range arr {
			s, ok := one(e)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := one(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

func principalShapeOK(v any) bool {
	switch t := v.(type) {
	case string:
		return t == "*"
	case map[string]any:
		for k, val := range t {
			switch k {
			case "AWS", "Service", "Federated", "CanonicalUser":
			default:
				return false
			}
			if _, ok := stringList(val); !ok {
				return false
			}
		}
		return true
	}
	return false
}

func checkConditionSyntax(c any) error {
	syntax := malformed(msgSyntax)
	ops, ok := c.(map[string]any)
	if !ok {
		return syntax
	}
	for op, body := range ops {
		keys, ok := body.(map[string]any)
		if !ok {
			return syntax
		}
		for _, vals := range keys {
			if _, ok := scalarList(vals); !ok {
				return syntax
			}
		}
		// An unknown operator with an empty body is accepted (moto models
		// this; see NOTES.md), with keys it is a syntax error.
		if _, ok := parseOperator(op); !ok && len(keys) > 0 {
			return syntax
		}
	}
	return nil
}

// checkLegacy runs the checks IAM reports as "The policy failed legacy
// parsing": Effect spelled with other letter case, date condition values
// that are not dates, and short ARNs written with "::".
func (p Parser) checkLegacy(stmts []rawStmt, version string) error {
	legacy := malformed(msgLegacy)
	for _, st := range stmts {
		if e, ok := st["Effect"].(string); ok && e != "Allow" && e != "Deny" {
			return legacy
		}
		for _, k := range []string{"Resource", "NotResource"} {
			list, _ := stringList(st[k])
			for _, r := range list {
				if p.legacyShortARN(r) {
					return legacy
				}
			}
		}
		if c, ok := st["Condition"].(map[string]any); ok {
			for opName, body := range c {
				op, ok := parseOperator(opName)
				if !ok || op.base.family() != famDate {
					continue
				}
				for _, vals := range body.(map[string]any) {
					list, _ := scalarList(vals)
					for _, s := range list {
						if version == Version2012 && strings.Contains(s, "${") {
							continue
						}
						if _, ok := parseDate(s); !ok {
							return legacy
						}
					}
				}
			}
		}
	}
	return nil
}

func checkSids(stmts []rawStmt, kind Kind) error {
	seen := map[string]bool{}
	for _, st := range stmts {
		sid, _ := st["Sid"].(string)
		if sid == "" {
			continue
		}
		if kind == KindIdentity || kind == KindBoundary || kind == KindSession {
			for i := 0; i < len(sid); i++ {
				c := sid[i]
				if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
					return malformed(msgSidAlnum)
				}
			}
		}
		if seen[sid] {
			return malformed(msgSidUnique)
		}
		seen[sid] = true
	}
	return nil
}

// checkPermissionStatements checks actions and resources of every kind but
// trust: both must be present, then resource ARNs and action names must be
// well formed.
func (p Parser) checkPermissionStatements(stmts []rawStmt) error {
	for _, st := range stmts {
		if !nonEmptyList(st, "Action") && !nonEmptyList(st, "NotAction") {
			return malformed(msgNeedActions)
		}
	}
	for _, st := range stmts {
		if !nonEmptyList(st, "Resource") && !nonEmptyList(st, "NotResource") {
			return malformed(msgNeedResources)
		}
	}
	for _, st := range stmts {
		for _, k := range []string{"Resource", "NotResource"} {
			list, _ := stringList(st[k])
			for _, r := range list {
				if msg := p.checkResourceARN(r); msg != "" {
					return malformed(msg)
				}
			}
		}
	}
	return checkActions(stmts)
}

func checkActions(stmts []rawStmt) error {
	for _, st := range stmts {
		for _, k := range []string{"Action", "NotAction"} {
			list, _ := stringList(st[k])
			for _, a := range list {
				if msg := checkActionName(a); msg != "" {
					return malformed(msg)
				}
			}
		}
	}
	return nil
}

func nonEmptyList(st rawStmt, k string) bool {
	list, ok := stringList(st[k])
	return ok && len(list) > 0
}

// checkTrust applies the trust-policy grammar (CreateRole,
// UpdateAssumeRolePolicy).
func checkTrust(stmts []rawStmt) error {
	for _, st := range stmts {
		if !has(st, "Effect") {
			return malformed(msgMissingEffect)
		}
		if has(st, "Resource") {
			return malformed(msgTrustResource)
		}
		if has(st, "NotResource") {
			return malformed("Has prohibited field NotResource")
		}
		if !has(st, "Principal") && !has(st, "NotPrincipal") {
			return malformed(msgMissingPrincipal)
		}
		if !nonEmptyList(st, "Action") && !nonEmptyList(st, "NotAction") {
			return malformed(msgMissingAction)
		}
	}
	if err := checkActions(stmts); err != nil {
		return err
	}
	for _, st := range stmts {
		for _, k := range []string{"Action", "NotAction"} {
			list, _ := stringList(st[k])
			for _, a := range list {
				if len(a) < 4 || !strings.EqualFold(a[:4], "sts:") {
					return malformed(msgTrustActions)
				}
			}
		}
	}
	return nil
}
