package logs

import (
	"fmt"
	"testing"
)

// The User Guide's Apache lines ("Using metric filters to extract values from space-delimited
// log events", and "Example: Extract fields from an Apache log" for the 404s).
var apacheLines = []string{
	`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`,
	`127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`,
	`127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355`,
	`127.0.0.1 - - [24/Sep/2013:11:49:52 -0700] "GET /index.html HTTP/1.1" 404 287`,
	`127.0.0.1 - - [24/Sep/2013:11:50:51 -0700] "GET /favicon.ico HTTP/1.1" 403 308`,
}

// The guide's OR example lines ("OR pattern matching").
var wordLines = []string{"ERROR WARN message", "ERROR message", "WARN message", "INFO message"}

// Each of the guide's space-delimited examples matches the events its rules say it does
// (string of the matching lines' indexes).
func TestDelimitedPatternDocExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		lines   []string
		want    string
	}{
		{`[ip, user, username, timestamp, request, status_code, bytes]`, apacheLines, "01234"},
		{`[..., status_code, bytes]`, apacheLines, "01234"},
		{`[ip, user, ..., status_code, bytes]`, apacheLines, "01234"},
		{`[ip, user, ...]`, apacheLines, "01234"},
		{`[ip, user, username, timestamp, request, status_code, bytes > 1000]`, apacheLines, "012"},
		{`[ip, user, username, timestamp, request, status_code = 200, bytes]`, apacheLines, "02"},
		{`[ip, user, username, timestamp, request, status_code = 4*, bytes]`, apacheLines, "34"},
		{`[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, apacheLines, "3"},
		{`[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]`, apacheLines, "34"},
		{`[..., request=*.html*, status_code=4*,]`, apacheLines, "3"},
		{`[ip, user, username = frank, ...]`, apacheLines, "012"},
		{`[w1=ERROR, w2]`, wordLines, "1"},
		{`[w1=ERROR || w1=WARN, w2]`, wordLines, "12"},
		// The guide says this matches "ERROR WARN message", which its own rules deny (three
		// fields, and the first is ERROR); iamlocal follows the rules.
		{`[w1!=ERROR&&w1!=WARN, w2]`, wordLines, "3"},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			t.Parallel()
			if got := matchedLines(t, tc.pattern, tc.lines); got != tc.want {
				t.Errorf("matched %q, want %q", got, tc.want)
			}
		})
	}
}

func matchedLines(t *testing.T, pattern string, lines []string) string {
	t.Helper()
	m, err := compileFilter(pattern)
	if err != nil {
		t.Fatalf("%q: %v", pattern, err)
	}
	got := ""
	for i, l := range lines {
		if m(l) {
			got += fmt.Sprint(i)
		}
	}
	return got
}

// patternCase is a pattern and the indexes of the lines it matches.
type patternCase struct{ pattern, want string }

// checkMatches runs each case as a parallel subtest over lines.
func checkMatches(t *testing.T, lines []string, tests []patternCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			t.Parallel()
			if got := matchedLines(t, tc.pattern, lines); got != tc.want {
				t.Errorf("matched %q, want %q", got, tc.want)
			}
		})
	}
}

// checkRefused checks that each pattern is refused with InvalidParameterException.
func checkRefused(t *testing.T, patterns []string) {
	t.Helper()
	for _, bad := range patterns {
		if _, err := compileFilter(bad); code(err) != "InvalidParameterException" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// Without an ellipsis the event has as many fields as the pattern; with one, at least as many
// as the other fields. Quotes and brackets make one field; runs of blanks separate once.
func TestDelimitedFieldCounts(t *testing.T) {
	t.Parallel()
	lines := []string{"", "x", "x y", "x y z", "x  \t y\n", `"x y" [z w]`, `x "y z`}
	tests := []patternCase{
		{`[a]`, "1"},
		{`[a, b]`, "2456"}, // the unclosed quote runs to the end: one field
		{`[a, b, c]`, "3"},
		{`[...]`, "0123456"},
		{`[a, ...]`, "123456"},
		{`[..., b]`, "123456"},
		{`[a, ..., b]`, "23456"},
		{`[a, ..., b, c]`, "3"},
		{`[a, , c]`, "3"},
		{`[a = "x y", b = "z w"]`, "5"},
		{`[a = x, b = y]`, "24"},
		{`[a, b = "y z"]`, "6"},
	}
	checkMatches(t, lines, tests)
}

// Numbers compare as numbers (a field that is no number fails the comparison); other values
// compare as strings with * wildcards, quoted or not.
func TestDelimitedComparisons(t *testing.T) {
	t.Parallel()
	lines := []string{"5", "5.0", "10", "11", "1e2", "x", "food", "-3", "NaN"}
	tests := []patternCase{
		{`[a > 10]`, "34"},
		{`[a >= 10]`, "234"},
		{`[a < 10]`, "017"},
		{`[a <= 5]`, "017"},
		{`[a = 5]`, "01"},
		{`[a != 5]`, "2347"}, // x, food and NaN are no numbers
		{`[a = "5"]`, "0"},   // quoted: the string 5
		{`[a = -3]`, "7"},
		{`[a = x]`, "5"},
		{`[a != x]`, "01234678"},
		{`[a = fo*]`, "6"},
		{`[a = *o*]`, "6"},
		{`[a != *o*]`, "01234578"},
		{`[a = "1*"]`, "234"},
		{`[a > 1 && a < 11]`, "012"},
		{`[a = 5 || a = x || a > 50]`, "0145"},
		{`[a = 11 || a > 0 && a < 6]`, "013"}, // && binds tighter
	}
	checkMatches(t, lines, tests)
}

// Broken or ambiguous space-delimited patterns are refused with InvalidParameterException.
func TestDelimitedPatternRefused(t *testing.T) {
	t.Parallel()
	checkRefused(t, []string{
		`[`, `[]`, `[ ]`, `[a, b`, `[a b]`, `[1a]`, `[a-b]`, `[a =]`, `[= 1]`, `[a = "x]`, `[a = 1 &&]`,
		`[a && b = 1]`, `[a > x]`, `[a >= "1"]`, `[..., ...]`, `[a, a]`, `[a = 1 && b = 2]`,
		`[a = 1 || ]`, `[a = "x" y]`,
		// The guide's example names a bytes field its pattern does not define.
		`[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]`,
	})
}
