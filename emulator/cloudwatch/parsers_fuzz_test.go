package cloudwatch

import (
	"errors"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// An AlarmRule is the caller's text: it parses or is refused with a rule error (which
// PutCompositeAlarm words as AWS's "Error in AlarmRule [...]"), and a parsed rule evaluates,
// whatever the states of the alarms it names.
func FuzzAlarmRule(f *testing.F) {
	for _, s := range []string{`ALARM("a") AND NOT OK(b)`, `(TRUE OR FALSE) AND INSUFFICIENT_DATA("arn:aws:cloudwatch:us-east-1:123456789012:alarm:x")`,
		`ALARM(`, `NOT NOT NOT (((ALARM("a"))))`, `ALARM("a" OR`, `")`, "ALARM(\"\u00e9\") OR OK(\"\\\"\")"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := parseRule(text)
		if err != nil {
			var re *ruleError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), " at char ") {
				t.Fatalf("parseRule(%q) error %v, want a rule error naming its place", text, err)
			}
			return
		}
		states := []string{"OK", "ALARM", "INSUFFICIENT_DATA"}
		for i := range states {
			r.eval(func(alarm string) string { return states[(len(alarm)+i)%len(states)] })
		}
		seen := map[string]bool{}
		for _, a := range r.alarms() {
			if seen[a] {
				t.Fatalf("alarms() of %q names %q twice", text, a)
			}
			seen[a] = true
		}
	})
}

// A dashboard body is accepted or refused with InvalidParameterInput, never anything else.
func FuzzDashboardBody(f *testing.F) {
	for _, s := range []string{`{"widgets":[]}`, `{"widgets":null}`, `[]`, `{}`, `{"widgets":[1]} x`, `{"widgets": "[" }`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		err := checkDashboardBody(body)
		if err == nil {
			return
		}
		if e, ok := awserr.As(err); !ok || e.Code != "InvalidParameterInput" {
			t.Fatalf("checkDashboardBody(%q) = %v", body, err)
		}
	})
}
