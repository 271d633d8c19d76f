package logs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// The User Guide's regex examples ("Supported regular expressions (regex) syntax", the
// operators' usage), as a whole pattern and as JSON and space-delimited values.
func TestRegexPatterns(t *testing.T) {
	t.Parallel()
	lines := []string{
		`[ERROR 401] UNAUTHORIZED REQUEST`,
		`[SUCCESS 200] AUTHORIZED REQUEST`,
		`client 10.0.0.17 said hat`,
		`cat colour aaaa`,
		`{"level":"ERROR","status":503,"user":"ann"}`,
		`{"level":"INFO","status":200,"user":"bob"}`,
		`Error: disk full`,
	}
	tests := []patternCase{
		{`%AUTHORIZED%`, "01"}, // anywhere in the event: UNAUTHORIZED too
		{`%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%`, "2"},
		{`%[Ee]rror|[Ff]ail%`, "6"},
		{`%^[hc]at%`, "3"},
		{`%[hc]at$%`, "2"},
		{`%colou?r%`, "3"},
		{`%a{3,5}%`, "3"},
		{`%^\[SUCCESS%`, "1"},
		{`{ $.level = %ERR|WARN% }`, "4"},
		{`{ $.level != %^INFO$% }`, "4"},
		{`{ $.status = %^5\d\d$% }`, "4"},
		{`{ $.status = %^[0-9]+$% && $.user = %^b% }`, "5"},
		{`{ $.missing = %.% }`, ""},
		// A bracketed field is one field, kept without its brackets: w1 is "ERROR 401".
		{`[w1 = %^ERR%, ...]`, "0"},
		{`[w1 = %^[A-Z]{1,9}\s[0-9]+$%, ...]`, "01"}, // a comma inside the regex
		{`[w1, w2 != %AUTH%, w3]`, "36"},
		{`[w1 = %^ERR% || w1 = client, ...]`, "02"},
	}
	checkMatches(t, lines, tests)
}

// A regex of characters the guide does not list, with parentheses, multi-byte characters, on an
// ordering operator, or more than two of them in one JSON or space-delimited pattern, is refused.
func TestRegexRefused(t *testing.T) {
	t.Parallel()
	checkRefused(t, []string{
		`%something!%`, // the guide's own example
		`%(a|b)c%`, `%a b%`, `%é%`, `%[%`, `%a{2,1}%`, `%x"%`,
		`{ $.a > %1% }`, `[a < %1%]`, `{ $.a = %a(b)% }`, `[a = %a%b%]`,
		`{ $.a = %a% || $.b = %b% || $.c = %c% }`,
		`[a = %a%, b = %b%, c = %c%]`,
	})
	for _, ok := range []string{`{ $.a = %a% || $.b = %b% }`, `[a = %a%, b = %b%]`, `{ $.a = "%" }`,
		`%a:_#=@/;,-b%`, `%^a$%`, `%\d+\.?[x-z]*%`} {
		if _, err := compileFilter(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for pattern, char := range map[string]string{`%something!%`: "!", `%a(b)%`: "(", `{ $.a = %é% }`: "é", `{ ($.a = %a(% ) }`: "(", `[a = %x y%]`: " "} {
		if _, err := compileFilter(pattern); !strings.Contains(fmt.Sprint(err), "Invalid character(s) in term '"+char+"'") {
			t.Errorf("%s: the refusal does not name %q: %v", pattern, char, err)
		}
	}
	// The guide's way to match a character it does not allow: its hexadecimal code.
	if got := matchedLines(t, `%f\x28x\x29%`, []string{"f(x)", "fx"}); got != "0" {
		t.Errorf(`%%f\x28x\x29%% matched %q`, got)
	}
}

// "There is a maximum of 5 filter patterns containing regex for each log group when creating
// metric filters or subscription filters": both kinds count together, a put that replaces a
// filter does not add one, and patterns without regex are not counted.
func TestRegexFilterQuotaPerGroup(t *testing.T) {
	t.Parallel()
	s, ctx, _ := newMetricService(t)
	mustGroup(t, s, ctx, "/app")
	putMetric := func(name, pattern string) error {
		_, err := s.PutMetricFilter(ctx, &logsapi.PutMetricFilterRequest{LogGroupName: protocol.Ptr("/app"), FilterName: &name,
			FilterPattern: &pattern, MetricTransformations: transform("1", nil, nil)})
		return err
	}
	putSubscription := func(name, pattern string) error {
		in := putFilterReq("/app", name, pattern, "arn:aws:kinesis:us-east-1:123456789012:stream/s")
		in.RoleArn = protocol.Ptr("arn:aws:iam::123456789012:role/cwl")
		_, err := s.PutSubscriptionFilter(ctx, in)
		return err
	}
	for i := range 4 {
		if err := putMetric(fmt.Sprintf("m%d", i), fmt.Sprintf("%%err%d%%", i)); err != nil {
			t.Fatal(i, err)
		}
	}
	if err := putSubscription("s0", `%fail%`); err != nil {
		t.Fatal(err)
	}
	if err := putMetric("m9", `{ $.a = %x% }`); code(err) != "LimitExceededException" {
		t.Errorf("sixth regex pattern as a metric filter: %v", err)
	}
	if err := putSubscription("s1", `[a = %x%]`); code(err) != "LimitExceededException" {
		t.Errorf("sixth regex pattern as a subscription filter: %v", err)
	}
	if err := putMetric("m9", "ERROR 100% done%"); err != nil { // a term's % is no regex
		t.Errorf("a pattern without regex at the quota: %v", err)
	}
	if err := putMetric("m0", `%other%`); err != nil {
		t.Errorf("replacing a regex metric filter at the quota: %v", err)
	}
	if err := putSubscription("s0", `%other%`); err != nil {
		t.Errorf("replacing a regex subscription filter at the quota: %v", err)
	}
}
