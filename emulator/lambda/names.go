package lambda

import (
	"errors"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// functionNameRegex is the pattern Lambda quotes when a function name does not parse: its
// FunctionName pattern of today, with the European Sovereign Cloud's regions
// (invalid_function_name_exc in conformance/errors; arn.ParseFunctionName applies the wider
// NamespacedFunctionName).
const functionNameRegex = `(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`

// ParseFunctionName splits a function name in any of Lambda's formats (arn.ParseFunctionName)
// and words a failure as Lambda does: ValidationException when the text is not a function name
// at all, and InvalidParameterValueException when the bare name is longer than 64 characters
// ("Member must have length less than or equal to 64", recorded in conformance/errors).
func ParseFunctionName(s string) (arn.FunctionRef, error) {
	ref, err := arn.ParseFunctionName(s)
	if err != nil {
		return arn.FunctionRef{}, functionNameError(s, err)
	}
	return ref, nil
}

// functionNameError is Lambda's answer to an arn.ResolveFunction or ParseFunctionName error.
func functionNameError(s string, err error) error {
	var nameErr *arn.FunctionNameError
	var regionErr *arn.RegionError
	switch {
	case errors.As(err, &nameErr) && nameErr.TooLong:
		return lambdaapi.ErrInvalidParameterValue(
			"1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64", s)
	case errors.As(err, &nameErr):
		return awserr.New("ValidationException", 400, true,
			"1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: %s",
			s, functionNameRegex)
	case errors.As(err, &regionErr):
		return lambdaapi.ErrResourceNotFound("Functions from '%s' are not reachable in this region ('%s')", regionErr.Region, regionErr.RequestRegion)
	case errors.Is(err, arn.ErrQualifiersDiffer):
		return invalid(msgQualifierDiffer)
	}
	return err
}

// target is a function reference resolved against the request: the partition, account and
// region it lives in, its name and the qualifier the request asks for ("" when none).
type target struct {
	partition string
	account   string
	region    string
	name      string
	qualifier string
}

func (t target) scope() arn.Scope {
	return arn.Scope{Partition: t.partition, Region: t.region, Account: t.account}
}

// arn is the unqualified function ARN.
func (t target) arn() string { return t.scope().Function(t.name).String() }

// qualifiedARN is the ARN with the requested qualifier, if any.
func (t target) qualifiedARN() string { return t.versionARN(t.qualifier) }

// versionARN is the ARN of one version or alias of the function, or of the function itself
// when qualifier is "".
func (t target) versionARN(qualifier string) string {
	return t.scope().FunctionVersion(t.name, qualifier).String()
}

// resolve reads name (and the Qualifier parameter, when the operation has one) for a request
// with arn.ResolveFunction, the reading the authorizer decides on, and answers its errors in
// Lambda's words: "Functions from 'X' are not reachable in this region ('Y')"
// (ResourceNotFoundException) for another region, InvalidParameterValueException for a
// qualifier in the name that differs from the Qualifier parameter. A name without an account
// refers to the caller's account.
//
// A name part longer than 64 characters names no function, and Lambda answers it as one it does
// not find ("Function not found: ...", with the qualifier); only CreateFunction refuses it as too
// long (createName).
func (c call) resolve(name string, qualifier *string) (target, error) {
	f, err := arn.ResolveFunction(c.scope(), name, str(qualifier))
	t := target{partition: f.Partition, account: f.Account, region: f.Region, name: f.Name, qualifier: f.Qualifier}
	var nameErr *arn.FunctionNameError
	if errors.As(err, &nameErr) && nameErr.TooLong {
		return target{}, notFound(t.qualifiedARN())
	}
	if err != nil {
		return target{}, functionNameError(name, err)
	}
	return t, nil
}

// createName resolves the name of a function to create: a name part over 64 characters is
// InvalidParameterValueException "... Member must have length less than or equal to 64"
// (long_function_name_exc, CreateFunction, in conformance/errors).
func (c call) createName(name string) (target, error) {
	if _, err := arn.ParseFunctionName(name); err != nil {
		return target{}, functionNameError(name, err)
	}
	return c.resolve(name, nil)
}

// function is the caller's function name with qualifier, as it is stored.
func (c call) function(name, qualifier string) target {
	return target{partition: c.partition, account: c.account, region: c.region, name: name, qualifier: qualifier}
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
