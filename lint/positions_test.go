package lint

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// awsCLIExample is the policy of the AWS CLI's validate-policy example (aws-cli,
// awscli/examples/accessanalyzer/validate-policy.rst), indented as there. Its output is
// ValidatePolicy's on AWS; the spans below are copied from it.
const awsCLIExample = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {
                "Federated": "cognito-identity.amazonaws.com"
            },
            "Action": [
                "sts:AssumeRole",
                "sts:TagSession"
            ],
            "Condition": {
                "StringEquals": {
                    "cognito-identity.amazonaws.com:aud": "us-west-2_EXAMPLE"
                }
            }
        }
    ]
}`

func pos(line, column, offset int) Position {
	return Position{Line: line, Column: column, Offset: offset}
}

func TestLocationsAsAWSReportsThem(t *testing.T) {
	t.Parallel()
	got := Check(awsCLIExample, Options{Type: ResourcePolicy, ResourceType: RoleTrustPolicy})
	byCode := map[string]Finding{}
	for _, f := range got {
		byCode[f.IssueCode] = f
	}
	sid, ok := byCode[issueEmptySid]
	if !ok {
		t.Fatalf("no %s in %v", issueEmptySid, codesOf(got))
	}
	wantSid := Location{Path: path{}.value("Statement").index(0).value("Sid"), Span: Span{Start: pos(5, 19, 79), End: pos(5, 21, 81)}}
	if !locationEqual(sid.Locations[0], wantSid) {
		t.Errorf("Sid at %+v, want %+v", sid.Locations[0], wantSid)
	}
	key, ok := byCode[issueActionForKey]
	if !ok {
		t.Fatalf("no %s in %v", issueActionForKey, codesOf(got))
	}
	if want := "The following actions: sts:TagSession are not supported by the condition key cognito-identity.amazonaws.com:aud. The condition will not be evaluated for these actions. We recommend that you move these actions to a different statement without this condition key."; key.Details != want {
		t.Errorf("details %q, want %q", key.Details, want)
	}
	wantAction := Location{Path: path{}.value("Statement").index(0).value("Action").index(1), Span: Span{Start: pos(12, 16, 292), End: pos(12, 32, 308)}}
	if !locationEqual(key.Locations[0], wantAction) {
		t.Errorf("action at %+v, want %+v", key.Locations[0], wantAction)
	}
	// AWS's example has its value shortened after the fact; the start is still AWS's.
	cond := key.Locations[1]
	wantPath := path{}.value("Statement").index(0).value("Condition").value("StringEquals").value("cognito-identity.amazonaws.com:aud")
	if !slices.EqualFunc(cond.Path, wantPath, pathElementEqual) || cond.Span.Start != pos(16, 58, 443) {
		t.Errorf("condition value at %+v", cond)
	}
}

func locationEqual(a, b Location) bool {
	return a.Span == b.Span && slices.EqualFunc(a.Path, b.Path, pathElementEqual)
}

func pathElementEqual(a, b PathElement) bool {
	return a.Key == b.Key && a.Value == b.Value && (a.Index == nil) == (b.Index == nil) && (a.Index == nil || *a.Index == *b.Index)
}

// Positions count characters, not bytes, and lines from 1.
func TestPositionsCountCharacters(t *testing.T) {
	t.Parallel()
	src := "{\"Sid\": \"é\",\n \"x\": 1}"
	p := newPositions(src)
	tests := []struct {
		byteOffset int
		want       Position
	}{
		{0, pos(1, 0, 0)},
		{8, pos(1, 8, 8)},
		{12, pos(1, 11, 11)}, // after "é", two bytes, one character
		{14, pos(2, 0, 13)},
		{len(src), pos(2, 8, 21)},
	}
	for _, tt := range tests {
		if got := p.at(tt.byteOffset); got != tt.want {
			t.Errorf("at(%d) = %+v, want %+v", tt.byteOffset, got, tt.want)
		}
	}
}

// Findings marshal to ValidatePolicy's JSON: a path element has only its one member.
func TestFindingJSON(t *testing.T) {
	t.Parallel()
	f := Check(policy(`{"Effect": "Allow", "Action": "sqs:DeleteMessageBatch", "Resource": "*"}`), Options{})
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"findingType":"ERROR","issueCode":"INVALID_ACTION","findingDetails":"The action sqs:DeleteMessageBatch does not exist.",` +
		`"learnMoreLink":"https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action",` +
		`"locations":[{"path":[{"value":"Statement"},{"index":0},{"value":"Action"}],"span":{"start":{"line":1,"column":70,"offset":70},"end":{"line":1,"column":94,"offset":94}}}]}]`
	if string(b) != want {
		t.Errorf("JSON\n %s\nwant\n %s", b, want)
	}
}

func TestParseJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src     string
		wantErr bool
		text    string // the root string's value
	}{
		{`"a\u00e9\ud83d\ude00\n"`, false, "aé😀\n"},
		{`"\x"`, true, ""},
		{`{"a": 1,}`, true, ""},
		{`[1, 2`, true, ""},
		{`{} {}`, true, ""},
		{`01`, true, ""},
		{`-1.5e+3`, false, ""},
		{strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), true, ""},
		{"\"a\x01\"", true, ""},
	}
	for _, tt := range tests {
		n, err := parseJSON(tt.src)
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: error %v, want error %v", tt.src, err, tt.wantErr)
			continue
		}
		if tt.text != "" && n.text != tt.text {
			t.Errorf("%q: %q, want %q", tt.src, n.text, tt.text)
		}
	}
}

func TestParseOptions(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]Options{"identity": {Type: IdentityPolicy}, "RESOURCE_POLICY": {Type: ResourcePolicy},
		"trust": {Type: ResourcePolicy, ResourceType: RoleTrustPolicy}, "scp": {Type: ServiceControlPolicy}, "rcp": {Type: ResourceControlPolicy}} {
		if got, ok := ParsePolicyType(name); !ok || got != want {
			t.Errorf("ParsePolicyType(%q) = %+v, %v", name, got, ok)
		}
	}
	if _, ok := ParsePolicyType("bucket"); ok {
		t.Error("ParsePolicyType(bucket) is ok")
	}
	if got, ok := ParseFindingTypes("error, security_warning"); !ok || !slices.Equal(got, []FindingType{Error, SecurityWarning}) {
		t.Errorf("ParseFindingTypes = %v, %v", got, ok)
	}
	if _, ok := ParseFindingTypes("ERROR,FATAL"); ok {
		t.Error("ParseFindingTypes accepts FATAL")
	}
	fs := []Finding{{Type: Error}, {Type: Warning}, {Type: SecurityWarning}}
	if got := Blocking(fs, []FindingType{Error, SecurityWarning}); len(got) != 2 {
		t.Errorf("Blocking = %v", got)
	}
}

// Every issue of the table has a code, a type and a text, and AWS's have their section's link.
func TestIssueTable(t *testing.T) {
	t.Parallel()
	all := issues()
	if len(all) < 60 {
		t.Fatalf("%d issues", len(all))
	}
	for code, i := range all {
		if code == "" || i.text == "" || !slices.Contains(FindingTypes(), i.typ) {
			t.Errorf("%s: incomplete %+v", code, i)
		}
		if (i.anchor == "") == (i.link == "") {
			t.Errorf("%s: wants an anchor or a link of its own", code)
		}
	}
}
