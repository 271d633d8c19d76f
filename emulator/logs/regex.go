package logs

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/storage"
)

// %regex% in filter patterns ("Supported regular expressions (regex) syntax", CloudWatch Logs
// User Guide): a whole pattern (%[Ee]rror|[Ff]ail%), or the value of a JSON or space-delimited
// condition ({ $.level = %WARN|ERROR% }, [ip, ..., status = %4[0-9]{2}%]). A regex matches
// anywhere in the text unless anchored: %AUTHORIZED% matches "UNAUTHORIZED REQUEST".
//
// The guide's limits, applied when a pattern is compiled: a regex holds only ASCII letters
// and digits, the symbols : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \ * + .; no
// parentheses, no multi-byte characters (a space is in neither list, so it is refused too).
// A JSON or space-delimited pattern holds at most maxRegexPerPattern of them. A log group's
// metric and subscription filters hold at most maxRegexFiltersPerGroup regex patterns
// (regexFilterQuota).

const (
	maxRegexPerPattern      = 2
	maxRegexFiltersPerGroup = 5
)

// isRegexTerm reports a %...% term.
func isRegexTerm(s string) bool {
	return len(s) > 1 && s[0] == '%' && s[len(s)-1] == '%'
}

// compileRegex compiles the inside of a %...% term under the guide's character rules. A
// character outside them is refused in AWS's words, which name it: "Invalid character(s) in
// term" for parentheses in a metric filter's regex (ministryofjustice/modernisation-platform-
// environments#5137, which escapes them as \x28 and \x29 instead, as the guide suggests), and
// "Invalid character(s) in term '?'" for a curly quote (dougmoscrop/serverless-plugin-log-
// subscription#47, the quote shown as '?').
func compileRegex(expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, badPattern()
	}
	for _, r := range expr {
		if r >= utf8.RuneSelf || !regexByte(byte(r)) {
			return nil, logsapi.ErrInvalidParameter("Invalid character(s) in term '%s'", string(r))
		}
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, badPattern()
	}
	return re, nil
}

// regexTest is a %regex% condition's test of a value's text, for JSON and space-delimited
// patterns alike: = holds where the regex matches, != where it does not; no other operator
// takes a regex.
func regexTest(op, expr string) (func(string) bool, error) {
	if op != "=" && op != "!=" {
		return nil, badPattern()
	}
	re, err := compileRegex(expr)
	if err != nil {
		return nil, err
	}
	want := op == "="
	return func(s string) bool { return re.MatchString(s) == want }, nil
}

func regexByte(b byte) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		return true
	}
	return strings.IndexByte(":_#=@/;,-^$?[]{}|\\*+.", b) >= 0
}

// readRegexTerm reads a %...% term at the start of s: the regex's text and the rest of s.
func readRegexTerm(s string) (expr, rest string, ok bool) {
	if s == "" || s[0] != '%' {
		return "", s, false
	}
	end := strings.IndexByte(s[1:], '%')
	if end < 0 {
		return "", s, false
	}
	return s[1 : 1+end], s[2+end:], true
}

// countRegexTerms counts the %...% terms of a pattern outside double quotes.
func countRegexTerms(pattern string) int {
	n, quoted := 0, false
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '"':
			quoted = !quoted
		case '%':
			if !quoted {
				n++
			}
		}
	}
	return n / 2
}

// hasRegex reports a pattern that holds a regex: a whole %regex% pattern, or a JSON or
// space-delimited one with a %regex% value (a term pattern's % is a literal character).
func hasRegex(pattern string) bool {
	p := strings.TrimSpace(pattern)
	if strings.HasPrefix(p, "{") || strings.HasPrefix(p, "[") {
		return countRegexTerms(p) > 0
	}
	return isRegexTerm(p)
}

// tooManyRegex is a JSON or space-delimited pattern over the guide's two regex.
func tooManyRegex() error {
	return logsapi.ErrInvalidParameter("Invalid filter pattern: a filter pattern may contain at most %d regex", maxRegexPerPattern)
}

// regexFilterQuota refuses a regex pattern for a log group whose metric and subscription
// filters already hold maxRegexFiltersPerGroup of them; the filter a put replaces (same kind,
// same name) does not count.
func regexFilterQuota(tx *storage.Tx, region, group, pattern string, replacing filterRef) error {
	if !hasRegex(pattern) {
		return nil
	}
	n := 0
	count := func(ref filterRef, pattern string) {
		if ref != replacing && hasRegex(pattern) {
			n++
		}
	}
	err := storage.LogMetricFilters(tx).Scan(storage.LogMetricFilterKey(region, group, ""),
		func(_ string, f storage.MetricFilterRecord) error {
			count(filterRef{true, f.Name}, f.Pattern)
			return nil
		})
	if err != nil {
		return err
	}
	err = storage.LogSubscriptions(tx).Scan(storage.LogSubscriptionKey(region, group, ""),
		func(_ string, f storage.LogSubscriptionRecord) error {
			count(filterRef{false, f.Name}, f.Pattern)
			return nil
		})
	if err != nil {
		return err
	}
	if n >= maxRegexFiltersPerGroup {
		return logsapi.ErrLimitExceeded("Resource limit exceeded.")
	}
	return nil
}

// filterRef names a metric filter (metric true) or a subscription filter of a log group.
type filterRef struct {
	metric bool
	name   string
}
