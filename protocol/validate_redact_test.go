package protocol

import "testing"

func TestRedactedValidationMessage(t *testing.T) {
	t.Parallel()
	vs := []Violation{
		{Path: "status", Value: "'Nope'", Text: "Member must satisfy enum value set: [Active, Inactive]"},
		{Path: "serviceSpecificCredentialId", Value: "'!'", Text: `Member must satisfy regular expression pattern: [\w]+`},
		{Path: "userName", Value: "null", Text: "Member must not be null"},
	}
	want := `3 validation errors detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set; ` +
		`Value at 'serviceSpecificCredentialId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w]+; ` +
		`Value null at 'userName' failed to satisfy constraint: Member must not be null`
	if got := RedactedValidationMessage(vs); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
