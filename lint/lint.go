// Package lint checks IAM policy documents the way IAM Access Analyzer's ValidatePolicy does:
// grammar, actions, condition keys and resources against AWS's Service Authorization Reference
// (every AWS service, internal/awsdata's all-services.json), security warnings such as
// iam:PassRole on "*", and suggestions such as redundant statements. Findings carry AWS's issue
// codes, finding types, texts and learn-more links (IAM User Guide, "IAM policy validation
// check reference"), and locations in the document's text.
//
// The package is pure: no storage, network, clock or logging. The service data is parsed once,
// on first use, and never changes. Check is safe for concurrent use.
//
// Besides AWS's checks, two of iamlocal's own report what AWS accepts silently and grants
// nothing or too much: RESOURCE_MISMATCH (no resource of the statement can match an action)
// and ALLOW_WITH_NOT_ACTION. Their Finding.AWS is false; ValidatePolicy leaves them out.
package lint

import (
	"cmp"
	"slices"
	"strings"
)

// PolicyType is what a document is checked as (ValidatePolicy's policyType).
type PolicyType string

// The policy types of ValidatePolicy.
const (
	IdentityPolicy        PolicyType = "IDENTITY_POLICY"
	ResourcePolicy        PolicyType = "RESOURCE_POLICY"
	ServiceControlPolicy  PolicyType = "SERVICE_CONTROL_POLICY"
	ResourceControlPolicy PolicyType = "RESOURCE_CONTROL_POLICY"
)

// RoleTrustPolicy is the ValidatePolicy resource type that makes a resource policy a role's
// trust policy (AssumeRolePolicyDocument).
const RoleTrustPolicy = "AWS::IAM::AssumeRolePolicyDocument"

// Options say what the document is. The zero value checks an identity policy.
type Options struct {
	Type PolicyType
	// ResourceType is ValidatePolicy's validatePolicyResourceType: RoleTrustPolicy checks a
	// resource policy as a role trust policy.
	ResourceType string
}

func (o Options) trust() bool { return o.Type == ResourcePolicy && o.ResourceType == RoleTrustPolicy }

// FindingType is a finding's impact (ValidatePolicyFinding.findingType).
type FindingType string

// The finding types, most severe first.
const (
	Error           FindingType = "ERROR"
	SecurityWarning FindingType = "SECURITY_WARNING"
	Warning         FindingType = "WARNING"
	Suggestion      FindingType = "SUGGESTION"
)

// FindingTypes are the finding types, most severe first.
func FindingTypes() []FindingType { return []FindingType{Error, SecurityWarning, Warning, Suggestion} }

// Finding is one issue in ValidatePolicy's shape; the JSON tags are the wire's.
type Finding struct {
	Type          FindingType `json:"findingType"`
	IssueCode     string      `json:"issueCode"`
	Details       string      `json:"findingDetails"`
	LearnMoreLink string      `json:"learnMoreLink"`
	Locations     []Location  `json:"locations"`
	// AWS is false for iamlocal's own checks, which ValidatePolicy does not report.
	AWS bool `json:"-"`
}

// Location is a part of the document: a path of keys and indexes, and its text's span.
type Location struct {
	Path []PathElement `json:"path"`
	Span Span          `json:"span"`
}

// PathElement is one step of a path, exactly one of its fields set: Index of an array
// element, Key for an object's key itself, Value for the value of an object's key.
type PathElement struct {
	Index *int   `json:"index,omitempty"`
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
}

// Span is a range of the document's text, End exclusive.
type Span struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Position is a place in the document: Line counts from 1, Column and Offset from 0, in
// characters.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// Check returns the findings of a policy document, ordered by where they point to.
func Check(doc string, opts Options) []Finding {
	if opts.Type == "" {
		opts.Type = IdentityPolicy
	}
	c := &checker{opts: opts, pos: newPositions(doc), cat: services()}
	root, err := parseJSON(doc)
	if err != nil {
		p := c.pos.at(err.offset)
		c.add(issueJSONSyntax, []Location{{Path: []PathElement{}, Span: Span{Start: p, End: p}}},
			p.Offset, p.Line, p.Column)
		return c.findings
	}
	c.document(root)
	slices.SortStableFunc(c.findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(firstOffset(a), firstOffset(b)), strings.Compare(a.IssueCode, b.IssueCode))
	})
	return c.findings
}

func firstOffset(f Finding) int {
	if len(f.Locations) == 0 {
		return -1
	}
	return f.Locations[0].Span.Start.Offset
}

// Blocking reports the findings whose type is one of types (the CI gate's choice).
func Blocking(findings []Finding, types []FindingType) []Finding {
	var out []Finding
	for _, f := range findings {
		if slices.Contains(types, f.Type) {
			out = append(out, f)
		}
	}
	return out
}

// ParseFindingTypes reads a comma-separated list of finding types ("ERROR,SECURITY_WARNING"),
// case-insensitively; ok is false for a name that is not one.
func ParseFindingTypes(list string) (types []FindingType, ok bool) {
	for _, name := range strings.Split(list, ",") {
		name = strings.ToUpper(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		t := FindingType(name)
		if !slices.Contains(FindingTypes(), t) {
			return nil, false
		}
		types = append(types, t)
	}
	return types, true
}

// ParsePolicyType reads a policy type by its API name or a short one (identity, resource, scp,
// rcp, trust); trust is a resource policy checked as a role trust policy.
func ParsePolicyType(name string) (Options, bool) {
	switch strings.ToLower(strings.ReplaceAll(name, "-", "_")) {
	case "", "identity", "identity_policy":
		return Options{Type: IdentityPolicy}, true
	case "resource", "resource_policy":
		return Options{Type: ResourcePolicy}, true
	case "trust", "role_trust_policy":
		return Options{Type: ResourcePolicy, ResourceType: RoleTrustPolicy}, true
	case "scp", "service_control_policy":
		return Options{Type: ServiceControlPolicy}, true
	case "rcp", "resource_control_policy":
		return Options{Type: ResourceControlPolicy}, true
	}
	return Options{}, false
}
