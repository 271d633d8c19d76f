package ui

import (
	"strings"
	"time"
)

// PolicyNote is what the policy lint found in a document IAM stored (the server keeps the
// latest, emulator.Server.PolicyNotes): AWS stores such policies without a word, and they then
// grant nothing, or too much.
type PolicyNote struct {
	Time      time.Time
	Account   string
	Operation string // PutUserPolicy, CreatePolicy, CreatePolicyVersion, ...
	// Policy is the policy's label as the decision log names it ("user/alice/name", a managed
	// policy's ARN), with " vN" after a managed policy's ARN for CreatePolicyVersion.
	Policy   string
	Findings []Finding
}

// Finding is one finding of the lint, in Access Analyzer ValidatePolicy's terms.
type Finding struct {
	Type          string `json:"type"` // ERROR, SECURITY_WARNING, WARNING, SUGGESTION
	IssueCode     string `json:"issueCode"`
	Details       string `json:"details"`
	LearnMoreLink string `json:"learnMoreLink,omitempty"`
	// Where the first location starts, as ValidatePolicy counts (Access Analyzer's Position:
	// line from 1, column from 0); line 0 when the finding names no place.
	Line   int `json:"line,omitempty"`
	Column int `json:"column"`
}

// noteView is a note as a policy shows it.
type noteView struct {
	Time      time.Time `json:"time"`
	Operation string    `json:"operation"`
	Findings  []Finding `json:"findings"`
}

// noteKey names the document a note is about: a policy label, and for a managed policy its
// version (CreatePolicy stores v1).
type noteKey struct{ label, version string }

// latestNotes keeps, per document of account, the latest note. A write with nothing to note
// leaves no note behind, so the page says when and by which call a note was taken.
func latestNotes(notes []PolicyNote, account string) map[noteKey]noteView {
	out := map[noteKey]noteView{}
	for _, n := range notes {
		if n.Account != account {
			continue
		}
		key := noteKey{label: n.Policy}
		if label, version, ok := strings.Cut(n.Policy, " "); ok {
			key = noteKey{label: label, version: version}
		} else if n.Operation == "CreatePolicy" {
			key.version = "v1"
		}
		out[key] = noteView{Time: n.Time, Operation: n.Operation, Findings: n.Findings}
	}
	return out
}
