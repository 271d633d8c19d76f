package lint

import (
	"testing"
	"unicode/utf8"
)

// Any text gives findings, never a panic, and every location lies within the document.
func FuzzCheck(f *testing.F) {
	for _, seed := range []string{awsCLIExample, policy(`{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}`),
		`{"Statement": {"Effect": "Deny", "NotAction": ["x"], "Condition": {"Null": {"a:b": []}}}}`, `{`, `[]`, `"\u0000"`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		length := utf8.RuneCountInString(doc)
		for _, opts := range []Options{{}, {Type: ResourcePolicy, ResourceType: RoleTrustPolicy}, {Type: ServiceControlPolicy}} {
			for _, finding := range Check(doc, opts) {
				if finding.IssueCode == "" || finding.Details == "" || len(finding.Locations) == 0 {
					t.Fatalf("incomplete finding %+v", finding)
				}
				for _, l := range finding.Locations {
					if l.Span.Start.Offset < 0 || l.Span.End.Offset > length || l.Span.Start.Offset > l.Span.End.Offset {
						t.Fatalf("span %+v outside a document of %d characters", l.Span, length)
					}
				}
			}
		}
	})
}
