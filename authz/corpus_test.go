package authz

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The corpus in testdata/corpus/*.json holds evaluation cases written from
// the IAM User Guide. Each case names the rule it follows in "cite". Add a
// case whenever a behaviour is learnt.

type corpusFile struct {
	Topic string       `json:"topic"`
	Cases []corpusCase `json:"cases"`
}

type corpusCase struct {
	Name     string `json:"name"`
	Cite     string `json:"cite"`
	Policies struct {
		Identity []json.RawMessage `json:"identity"`
		Boundary json.RawMessage   `json:"boundary"`
		Session  *[]json.RawMessage
		Resource []json.RawMessage `json:"resource"`
		Trust    json.RawMessage   `json:"trust"`
	} `json:"policies"`
	Request struct {
		Principal json.RawMessage     `json:"principal"`
		Action    string              `json:"action"`
		Resource  string              `json:"resource"`
		Context   map[string][]string `json:"context"`
	} `json:"request"`
	Want         string   `json:"want"`
	DecidedBy    string   `json:"decidedBy"`
	Message      *string  `json:"message"`
	ResourceText *string  `json:"resourceText"`
	Missing      []string `json:"missing"`
	// CrossAccount, when present, evaluates the case with EvaluateCrossAccount (the resource
	// belongs to another account) and gives what each side decides.
	CrossAccount *struct {
		Identity string `json:"identity"`
		Resource string `json:"resource"`
	} `json:"crossAccount"`
}

// corpusPrincipals are the callers the corpus refers to by name.
var corpusPrincipals = map[string]Principal{
	"bob":     bob,
	"carlos":  {ARN: "arn:aws:iam::123456789012:user/carlossalazar", Account: acct},
	"root":    root,
	"session": session,
	"fed":     fedUser,
	"lambda":  lambdaP,
	"s3svc":   {Service: "s3.amazonaws.com"},
	"web":     {Federated: "accounts.google.com"},
}

var kindNames = map[string]Kind{"": 0, "identity": KindIdentity, "resource": KindResource, "trust": KindTrust,
	"boundary": KindBoundary, "session": KindSession}

var decisionNames = map[string]Decision{"Allow": Allow, "ImplicitDeny": ImplicitDeny, "ExplicitDeny": ExplicitDeny}

func loadCorpus(t testing.TB) map[string]corpusFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	out := map[string]corpusFile{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var f corpusFile
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[filepath.Base(p)] = f
	}
	return out
}

func (c *corpusCase) principal(t testing.TB) Principal {
	var name string
	if err := json.Unmarshal(c.Request.Principal, &name); err == nil {
		p, ok := corpusPrincipals[name]
		if !ok {
			t.Fatalf("unknown principal %q", name)
		}
		return p
	}
	var p struct {
		ARN, Account, Service, Federated, RoleARN string
		IsRoot                                    bool
	}
	if err := json.Unmarshal(c.Request.Principal, &p); err != nil {
		t.Fatalf("principal: %v", err)
	}
	return Principal{ARN: p.ARN, Account: p.Account, IsRoot: p.IsRoot, Service: p.Service, Federated: p.Federated, RoleARN: p.RoleARN}
}

// policySet parses the case's documents.
func (c *corpusCase) policySet(t testing.TB) PolicySet {
	parse := func(raw json.RawMessage, kind Kind) *Policy {
		p, err := Parse(string(raw), kind)
		if err != nil {
			t.Fatalf("Parse %s: %v", raw, err)
		}
		return p
	}
	var set PolicySet
	for i, raw := range c.Policies.Identity {
		set.Identity = append(set.Identity, Named{fmt.Sprintf("identity%d", i), parse(raw, KindIdentity)})
	}
	if len(c.Policies.Boundary) > 0 {
		set.Boundary = &Named{"boundary", parse(c.Policies.Boundary, KindBoundary)}
	}
	if c.Policies.Session != nil {
		set.HasSession = true
		for i, raw := range *c.Policies.Session {
			set.Session = append(set.Session, Named{fmt.Sprintf("session%d", i), parse(raw, KindSession)})
		}
	}
	for i, raw := range c.Policies.Resource {
		set.Resource = append(set.Resource, Named{fmt.Sprintf("resource%d", i), parse(raw, KindResource)})
	}
	if len(c.Policies.Trust) > 0 {
		set.Resource = append(set.Resource, Named{"trust", parse(c.Policies.Trust, KindTrust)})
	}
	return set
}

func (c *corpusCase) request(t testing.TB) Request {
	return Request{Principal: c.principal(t), Action: c.Request.Action, Resource: c.Request.Resource, Context: c.Request.Context}
}

// evaluate decides the case in its mode: Evaluate, or EvaluateCrossAccount with its sides checked.
func (c *corpusCase) evaluate(t testing.TB, req Request) Result {
	t.Helper()
	if c.CrossAccount == nil {
		return Evaluate(req, c.policySet(t))
	}
	r := EvaluateCrossAccount(req, c.policySet(t))
	identity, ok := decisionNames[c.CrossAccount.Identity]
	resource, ok2 := decisionNames[c.CrossAccount.Resource]
	if !ok || !ok2 {
		t.Fatalf("bad crossAccount sides %+v", *c.CrossAccount)
	}
	if r.Identity != identity || r.Resource != resource {
		t.Fatalf("sides: identity %v, resource %v; want %v, %v\ncite: %s", r.Identity, r.Resource, identity, resource, c.Cite)
	}
	return r.Result
}

func TestCorpus(t *testing.T) {
	t.Parallel()
	total := 0
	for file, f := range loadCorpus(t) {
		total += len(f.Cases)
		for _, c := range f.Cases {
			t.Run(strings.TrimSuffix(file, ".json")+"/"+c.Name, func(t *testing.T) {
				t.Parallel()
				if c.Cite == "" {
					t.Fatal("case has no cite")
				}
				want, ok := decisionNames[c.Want]
				by, ok2 := kindNames[c.DecidedBy]
				if !ok || !ok2 {
					t.Fatalf("bad want %q or decidedBy %q", c.Want, c.DecidedBy)
				}
				req := c.request(t)
				r := c.evaluate(t, req)
				if r.Decision != want || r.DecidedBy != by {
					t.Fatalf("got %v by %v, want %v by %v\ncite: %s\nmatched: %+v", r.Decision, r.DecidedBy, want, by, c.Cite, r.Matched)
				}
				if c.Message != nil {
					text := req.Resource
					if c.ResourceText != nil {
						text = *c.ResourceText
					}
					if got := DenialMessage(req.Principal.ARN, req.Action, text, r); got != *c.Message {
						t.Fatalf("message\n got  %q\n want %q", got, *c.Message)
					}
				}
				if c.Missing != nil && !slices.Equal(r.Missing, c.Missing) {
					t.Fatalf("missing = %v, want %v", r.Missing, c.Missing)
				}
			})
		}
	}
	if total < 300 {
		t.Errorf("corpus has %d cases, want at least 300", total)
	}
}
