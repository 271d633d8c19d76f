// Package awsmanaged is the read-only set of AWS managed policies (arn:aws:iam::aws:policy/...)
// that exist in every account, of every partition: their ARNs follow the partition
// (arn:aws-cn:iam::aws:policy/...), their documents are the aws partition's as published. The
// data is embedded by internal/awsdata (origin and licences in its managed-policies/SOURCES.md)
// and parsed once per process, on first use; the parsed set is never modified afterwards, so it
// is safe for concurrent use without locks.
package awsmanaged

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/internal/awsdata"
)

// dataPartition is the partition of the ARNs in the embedded data.
const dataPartition = "aws"

// Policy is one AWS managed policy. Only its default version is known: GetPolicyVersion of any
// other version id answers NoSuchEntity.
type Policy struct {
	Name             string
	Path             string
	ID               string // stable ANPA... id derived from the aws ARN (the sources carry none)
	DefaultVersionID string
	Description      string
	Created          time.Time
	Updated          time.Time // when the default version last changed
	Deprecated       bool
	Document         string // the default version's document as compact JSON
}

// fallbackDate stands in for the dates a few deprecated policies lack in the sources: the day
// AWS managed policies were introduced (the CreateDate of AdministratorAccess).
var fallbackDate = time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC)

type set struct {
	byPath map[string]*Policy // by path and name: "/service-role/AWSLambdaBasicExecutionRole"
	list   []*Policy          // sorted by path and name, which is ARN order in any partition
}

var load = sync.OnceValue(func() *set {
	s, err := parse(awsdata.ManagedPolicies())
	if err != nil {
		panic("awsmanaged: embedded policies.json: " + err.Error()) // data tested in CI: cannot happen
	}
	return s
})

type rawPolicy struct {
	PolicyName       string
	Arn              string
	Path             string
	DefaultVersionId string
	Description      string
	CreateDate       string
	UpdateDate       string
	Deprecated       bool
	Document         json.RawMessage
}

func parse(data []byte) (*set, error) {
	var raws []rawPolicy
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, err
	}
	s := &set{byPath: make(map[string]*Policy, len(raws)), list: make([]*Policy, 0, len(raws))}
	for _, r := range raws {
		if r.Arn != arn.AWSManagedPolicy(dataPartition, r.Path, r.PolicyName).String() {
			return nil, fmt.Errorf("policy %s: ARN %s does not match its path", r.PolicyName, r.Arn)
		}
		var doc bytes.Buffer
		if err := json.Compact(&doc, r.Document); err != nil {
			return nil, fmt.Errorf("policy %s: %w", r.PolicyName, err)
		}
		created, err := date(r.CreateDate, r.UpdateDate)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", r.PolicyName, err)
		}
		updated, err := date(r.UpdateDate, r.CreateDate)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", r.PolicyName, err)
		}
		p := &Policy{
			Name: r.PolicyName, Path: r.Path, ID: policyID(r.Arn),
			DefaultVersionID: r.DefaultVersionId, Description: r.Description,
			Created: created, Updated: updated, Deprecated: r.Deprecated, Document: doc.String(),
		}
		if _, dup := s.byPath[p.Path+p.Name]; dup {
			return nil, fmt.Errorf("duplicate policy %s", r.Arn)
		}
		s.byPath[p.Path+p.Name] = p
		s.list = append(s.list, p)
	}
	sort.Slice(s.list, func(i, j int) bool { return s.list[i].Path+s.list[i].Name < s.list[j].Path+s.list[j].Name })
	return s, nil
}

// date parses the first non-empty ISO-8601 value, truncated to seconds as IAM reports dates.
func date(values ...string) (time.Time, error) {
	for _, v := range values {
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return time.Time{}, err
		}
		return t.UTC().Truncate(time.Second), nil
	}
	return fallbackDate, nil
}

// policyID derives a stable 21-character ANPA id from the aws ARN, in the alphabet of IAM ids
// (the same in every partition).
func policyID(awsARN string) string {
	sum := sha256.Sum256([]byte(awsARN))
	enc := base32.StdEncoding.EncodeToString(sum[:])
	return "ANPA" + enc[:17]
}

// ARN is the policy's ARN in partition.
func (p *Policy) ARN(partition string) string {
	return arn.AWSManagedPolicy(partition, p.Path, p.Name).String()
}

// Get returns the AWS managed policy with that exact ARN in partition.
func Get(partition, text string) (*Policy, bool) {
	pathName, ok := pathAndName(partition, text)
	if !ok {
		return nil, false
	}
	p, ok := load().byPath[pathName]
	return p, ok
}

// IsAWSManaged reports whether text is in partition's AWS managed policy namespace (whether or
// not such a policy exists).
func IsAWSManaged(partition, text string) bool {
	_, ok := pathAndName(partition, text)
	return ok
}

// pathAndName is the "/path/name" of an ARN arn:<partition>:iam::aws:policy/path/name.
func pathAndName(partition, text string) (string, bool) {
	a, err := arn.Parse(text)
	if err != nil || a.Partition != partition || a.Service != "iam" || a.Region != "" || a.Account != arn.AWSAccount {
		return "", false
	}
	rest, ok := strings.CutPrefix(a.Resource, "policy/")
	return "/" + rest, ok
}

// List returns the policies whose path starts with pathPrefix ("" or "/" for all), sorted by
// path and name (ARN order). The slice is fresh; the policies are shared and must not be modified.
func List(pathPrefix string) []*Policy {
	all := load().list
	out := make([]*Policy, 0, len(all))
	for _, p := range all {
		if strings.HasPrefix(p.Path, pathPrefix) {
			out = append(out, p)
		}
	}
	return out
}

// Prefix starts the ARN of every AWS managed policy of partition (arn:aws:iam::aws:policy); the
// path and name follow.
func Prefix(partition string) string {
	return arn.ARN{Partition: partition, Service: "iam", Account: arn.AWSAccount, Resource: "policy"}.String()
}

// From returns the policies whose ARN in partition is from or later, sorted by ARN, found by
// binary search: a list page starts there without reading the policies before it. The slice is
// shared and must not be modified (it has no spare capacity, so appending copies).
func From(partition, from string) []*Policy {
	all := load().list
	prefix := Prefix(partition)
	key := "" // the path and name from which to start; every ARN has prefix
	switch {
	case strings.HasPrefix(from, prefix):
		key = from[len(prefix):]
	case from > prefix:
		return all[len(all):]
	}
	i := sort.Search(len(all), func(i int) bool { return all[i].Path+all[i].Name >= key })
	return all[i:len(all):len(all)]
}

// Len is the number of AWS managed policies.
func Len() int { return len(load().list) }

// ServiceNamespaces returns, sorted, every service prefix ("s3", "lambda", ...) that an action
// of some AWS managed policy names: a practical catalogue of IAM service namespaces, since AWS
// writes managed policies for nearly every service. The slice is shared and must not be modified.
var ServiceNamespaces = sync.OnceValue(func() []string {
	seen := map[string]bool{}
	for _, p := range load().list {
		for _, a := range documentActions(p.Document) {
			ns, _, ok := strings.Cut(a, ":")
			if ok && ns != "" && !strings.ContainsAny(ns, "*?") {
				seen[strings.ToLower(ns)] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for ns := range seen {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
})

// documentActions lists the Action and NotAction values of a policy document.
func documentActions(doc string) []string {
	var d struct{ Statement json.RawMessage }
	if json.Unmarshal([]byte(doc), &d) != nil {
		return nil
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(d.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(d.Statement, &one) != nil {
			return nil
		}
		stmts = append(stmts, one)
	}
	var out []string
	for _, st := range stmts {
		for _, k := range []string{"Action", "NotAction"} {
			out = append(out, StringOrList(st[k])...)
		}
	}
	return out
}

// StringOrList reads a policy element that may be one string or a list of strings.
func StringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}
