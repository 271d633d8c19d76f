package iam

import (
	"net/url"
	"testing"
)

func TestEncodeDocument(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"a": "b"}`, "%7B%22a%22%3A%20%22b%22%7D"},
		{"s3:*", "s3%3A%2A"},
		{"A-z_0.9~", "A-z_0.9~"},
		{"é", "%C3%A9"},
		{"line\nnext", "line%0Anext"},
	}
	for _, tt := range tests {
		got := encodeDocument(tt.in)
		if got != tt.want {
			t.Errorf("encodeDocument(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if back, err := url.QueryUnescape(got); err != nil || back != tt.in {
			t.Errorf("QueryUnescape(%s) = %q, %v", got, back, err)
		}
		if back, err := url.PathUnescape(got); err != nil || back != tt.in {
			t.Errorf("PathUnescape(%s) = %q, %v", got, back, err)
		}
	}
}

func TestPolicySize(t *testing.T) {
	t.Parallel()
	if n := policySize("{ \"a\" :\n\t\"b c\" }"); n != 10 {
		t.Errorf("policySize = %d, want 10 (white space not counted)", n)
	}
}
