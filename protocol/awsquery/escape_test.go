package awsquery_test

import (
	"testing"

	"github.com/iamlocal/iamlocal/protocol/awsquery"
)

// TestEscapeEveryASCIIByte: escape's one-pass ASCII check passes what needs nothing done and
// leaves every other byte to the escaping, alone and amid plain text.
func TestEscapeEveryASCIIByte(t *testing.T) {
	t.Parallel()
	for c := range byte(0x80) {
		want := string(c)
		switch {
		case c == '&':
			want = "&amp;"
		case c == '<':
			want = "&lt;"
		case c == '>':
			want = "&gt;"
		case c == '\r':
			want = "&#xD;"
		case c < 0x20 && c != '\t' && c != '\n':
			want = "\uFFFD"
		}
		if got := awsquery.Escape(string(c)); got != want {
			t.Errorf("escape(%q) = %q, want %q", c, got, want)
		}
		if got := awsquery.Escape("ab" + string(c) + "cd"); got != "ab"+want+"cd" {
			t.Errorf("escape(%q) = %q, want %q", "ab"+string(c)+"cd", got, "ab"+want+"cd")
		}
	}
}
