package lambda

import (
	"regexp"
	"strings"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// FunctionRef is a parsed function name. Lambda accepts a name ("my-function"), a partial ARN
// ("123456789012:function:my-function") or a full ARN
// ("arn:aws:lambda:us-west-2:123456789012:function:my-function"), each with an optional
// ":qualifier" (a version, an alias or $LATEST) (Lambda API Reference, CreateFunction and
// GetFunction, "Name formats"). Region and Account are empty when the name leaves them out.
type FunctionRef struct {
	Partition string
	Region    string
	Account   string
	Name      string
	Qualifier string
}

// functionNamePattern is the model's NamespacedFunctionName pattern, anchored, with the parts
// as groups: 2 partition, 3 region, 4 account, 5 name, 6 qualifier.
var functionNamePattern = regexp.MustCompile(`^(?:arn:(aws[a-zA-Z-]*)?:lambda:)?` +
	`(?:((?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso[a-z]?))?-[a-z]+-\d{1}):)?` +
	`(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9-_\.]+)(?::(\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9-_]+))?$`)

// The pattern Lambda quotes when a function name does not parse (the model's FunctionName).
const functionNameRegex = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`

// ParseFunctionName splits a function name in any of Lambda's formats. The errors are typed
// (*awserr.Error): ValidationException when the text is not a function name at all, and
// InvalidParameterValueException when the bare name is longer than 64 characters, as Lambda
// answers ("Member must have length less than or equal to 64", recorded in
// conformance/errors).
func ParseFunctionName(s string) (FunctionRef, error) {
	m := functionNamePattern.FindStringSubmatch(s)
	if m == nil || len(s) > 256 {
		return FunctionRef{}, awserr.New("ValidationException", 400, true,
			"1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: %s",
			s, functionNameRegex)
	}
	ref := FunctionRef{Partition: m[1], Region: m[2], Account: m[3], Name: m[4], Qualifier: m[5]}
	if strings.HasPrefix(s, "arn:") && ref.Partition == "" {
		ref.Partition = "aws"
	}
	if len(ref.Name) > 64 {
		return FunctionRef{}, lambdaapi.ErrInvalidParameterValue(
			"1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64", s)
	}
	return ref, nil
}

// target is a function reference resolved against the request: the account and region it
// lives in, its name and the qualifier the request asks for ("" when none).
type target struct {
	account   string
	region    string
	name      string
	qualifier string
}

// arn is the unqualified function ARN.
func (t target) arn() string {
	return "arn:aws:lambda:" + t.region + ":" + t.account + ":function:" + t.name
}

// qualifiedARN is the ARN with the requested qualifier, if any.
func (t target) qualifiedARN() string { return withQualifier(t.arn(), t.qualifier) }

func withQualifier(arn, q string) string {
	if q == "" {
		return arn
	}
	return arn + ":" + q
}

// resolve parses name (and the Qualifier parameter, when the operation has one) for a
// request. A region other than the request's is answered as Lambda does ("Functions from 'X'
// are not reachable in this region ('Y')"); a qualifier in the name that differs from the
// Qualifier parameter is InvalidParameterValueException. A name without an account refers to
// the caller's account.
func (c call) resolve(name string, qualifier *string) (target, error) {
	ref, err := ParseFunctionName(name)
	if err != nil {
		return target{}, err
	}
	if ref.Region != "" && ref.Region != c.region {
		return target{}, lambdaapi.ErrResourceNotFound("Functions from '%s' are not reachable in this region ('%s')", ref.Region, c.region)
	}
	t := target{account: ref.Account, region: c.region, name: ref.Name, qualifier: ref.Qualifier}
	if t.account == "" {
		t.account = c.account
	}
	if q := str(qualifier); q != "" {
		if t.qualifier != "" && t.qualifier != q {
			return target{}, invalid(msgQualifierDiffer)
		}
		t.qualifier = q
	}
	return t, nil
}

// unqualified resolves a name for the operations that apply to the function only
// (concurrency, tags, ...): a qualifier is refused with Lambda's text.
func (c call) unqualified(name string) (target, error) {
	t, err := c.resolve(name, nil)
	if err == nil && t.qualifier != "" {
		return target{}, invalid(msgUnqualifiedOnly)
	}
	return t, err
}

// isVersionNumber reports a published version qualifier ("1", "42").
func isVersionNumber(q string) bool {
	if q == "" || len(q) > 19 {
		return false
	}
	for _, r := range q {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
