package arn

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Lambda resource names ("Actions, resources, and condition keys for AWS Lambda"):
// function[:qualifier], layer[:version], event-source-mapping, code-signing-config and
// capacity-provider, all regional.

// Function is the function name in s: arn:aws:lambda:us-east-1:123456789012:function:name.
func (s Scope) Function(name string) ARN { return s.in("lambda", "function:"+name) }

// FunctionVersion is a version or alias of the function, or the function itself when
// qualifier is "": arn:aws:lambda:us-east-1:123456789012:function:name:qualifier.
func (s Scope) FunctionVersion(name, qualifier string) ARN {
	a := s.Function(name)
	if qualifier != "" {
		a.Resource += ":" + qualifier
	}
	return a
}

// Layer is arn:aws:lambda:us-east-1:123456789012:layer:name.
func (s Scope) Layer(name string) ARN { return s.in("lambda", "layer:"+name) }

// LayerVersion is arn:aws:lambda:us-east-1:123456789012:layer:name:version.
func (s Scope) LayerVersion(name string, version int64) ARN {
	return s.in("lambda", "layer:"+name+":"+strconv.FormatInt(version, 10))
}

// EventSourceMapping is arn:aws:lambda:us-east-1:123456789012:event-source-mapping:uuid.
func (s Scope) EventSourceMapping(uuid string) ARN {
	return s.in("lambda", "event-source-mapping:"+uuid)
}

// CodeSigningConfig is arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-id.
func (s Scope) CodeSigningConfig(id string) ARN {
	return s.in("lambda", "code-signing-config:"+id)
}

// CapacityProvider is arn:aws:lambda:us-east-1:123456789012:capacity-provider:name.
func (s Scope) CapacityProvider(name string) ARN {
	return s.in("lambda", "capacity-provider:"+name)
}

// RuntimeVersion is the ARN Lambda reports for a runtime version, which belongs to no
// account: arn:aws:lambda:us-east-1::runtime:id (RuntimeVersionConfig, Lambda API Reference).
func RuntimeVersion(partition, region, id string) ARN {
	return ARN{Partition: partition, Service: "lambda", Region: region, Resource: "runtime:" + id}
}

// LambdaID is the id of a Lambda resource of the given type ("code-signing-config",
// "event-source-mapping") when a is such an ARN in scope s; "" otherwise.
func LambdaID(a ARN, s Scope, resourceType string) string {
	if a.Service != "lambda" || a.Partition != s.Partition || a.Region != s.Region || a.Account != s.Account {
		return ""
	}
	id, ok := strings.CutPrefix(a.Resource, resourceType+":")
	if !ok {
		return ""
	}
	return id
}

// FunctionRef is a parsed function name. Lambda accepts a name ("my-function"), a partial ARN
// ("123456789012:function:my-function") or a full ARN
// ("arn:aws:lambda:us-west-2:123456789012:function:my-function"), each with an optional
// ":qualifier" (a version, an alias or $LATEST) (Lambda API Reference, CreateFunction and
// GetFunction, "Name formats"). Partition, Region and Account are empty when the text leaves
// them out.
type FunctionRef struct {
	Partition string
	Region    string
	Account   string
	Name      string
	Qualifier string
}

// functionNamePattern is the model's NamespacedFunctionName pattern, anchored, with the parts
// as groups: 1 partition, 2 region, 3 account, 4 name, 5 qualifier.
var functionNamePattern = regexp.MustCompile(`^(?:arn:(aws[a-zA-Z-]*)?:lambda:)?` +
	`(?:((?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso[a-z]?))?-[a-z]+-\d{1}):)?` +
	`(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9-_\.]+)(?::(\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9-_]+))?$`)

// Lambda's limits on function names: the whole text, and the name part (CreateFunction,
// FunctionName: "The length constraint applies only to the full ARN. If you specify only the
// function name, it is limited to 64 characters in length").
const (
	maxFunctionText = 256
	maxFunctionName = 64
)

// FunctionNameError is a text Lambda does not take as a function name: one off its pattern,
// or one whose name part is longer than 64 characters (TooLong).
type FunctionNameError struct {
	Text    string
	TooLong bool
}

func (e *FunctionNameError) Error() string {
	if e.TooLong {
		return fmt.Sprintf("arn: function name %q is longer than %d characters", e.Text, maxFunctionName)
	}
	return fmt.Sprintf("arn: %q is not a function name", e.Text)
}

// ParseFunctionName splits a function name in any of Lambda's formats. A name part over 64
// characters is a *FunctionNameError with TooLong, returned with the parsed reference (what
// the text names, which the authorizer decides on); any other failure returns no reference.
func ParseFunctionName(s string) (FunctionRef, error) {
	m := functionNamePattern.FindStringSubmatch(s)
	if m == nil || len(s) > maxFunctionText {
		return FunctionRef{}, &FunctionNameError{Text: s}
	}
	ref := FunctionRef{Partition: m[1], Region: m[2], Account: m[3], Name: m[4], Qualifier: m[5]}
	if len(ref.Name) > maxFunctionName {
		return ref, &FunctionNameError{Text: s, TooLong: true}
	}
	return ref, nil
}

// Function is a function reference resolved against a request: every part of its ARN, and the
// qualifier the request asks for ("" when none).
type Function struct {
	Scope
	Name      string
	Qualifier string
}

// ARN is the unqualified function ARN.
func (f Function) ARN() ARN { return f.Scope.Function(f.Name) }

// QualifiedARN is the ARN with the requested qualifier, if any.
func (f Function) QualifiedARN() ARN { return f.Scope.FunctionVersion(f.Name, f.Qualifier) }

// RegionError is a full function ARN of another region than the request's.
type RegionError struct{ Region, RequestRegion string }

func (e *RegionError) Error() string {
	return fmt.Sprintf("arn: function of region %s named in region %s", e.Region, e.RequestRegion)
}

// ErrQualifiersDiffer is a qualifier in the function name that is not the Qualifier parameter.
var ErrQualifiersDiffer = errors.New("arn: the function name and the Qualifier parameter name different qualifiers")

// ResolveFunction resolves a FunctionName (and the Qualifier parameter of the operations that
// have one, "" otherwise) for a request made in s: the account and region the text leaves out
// are s's, and the partition is always s's (Lambda acts on the function of its own partition
// whatever an ARN's partition field says). It is the one reading of a function name, for the
// handler that acts on the function and for the authorizer that decides on its ARN.
//
// The first error in Lambda's order is returned: *FunctionNameError, *RegionError (Lambda
// only reaches the request's region), ErrQualifiersDiffer. Unless the text is no function name
// at all, the Function is still what it names (its region; the Qualifier parameter unless the
// name has another): the authorizer decides on it and the handler refuses the request with
// the error.
func ResolveFunction(s Scope, name, qualifier string) (Function, error) {
	ref, err := ParseFunctionName(name)
	var nameErr *FunctionNameError
	if errors.As(err, &nameErr) && !nameErr.TooLong {
		return Function{}, err
	}
	f := Function{Scope: s, Name: ref.Name, Qualifier: ref.Qualifier}
	if ref.Account != "" {
		f.Account = ref.Account
	}
	if ref.Region != "" {
		f.Region = ref.Region
	}
	if err == nil && f.Region != s.Region {
		err = &RegionError{Region: f.Region, RequestRegion: s.Region}
	}
	if qualifier != "" {
		switch {
		case f.Qualifier == "":
			f.Qualifier = qualifier
		case f.Qualifier != qualifier && err == nil:
			err = ErrQualifiersDiffer
		}
	}
	return f, err
}

// Layer is a layer named by a LayerName: its name and the scope it belongs to.
type Layer struct {
	Scope
	Name string
}

// ARN is the layer's ARN.
func (l Layer) ARN() ARN { return l.Scope.Layer(l.Name) }

// Version is the ARN of one version of the layer.
func (l Layer) Version(v int64) ARN { return l.Scope.LayerVersion(l.Name, v) }

// ResolveLayer reads a LayerName, a name or a layer ARN (the model's LayerName pattern), for a
// request made in s: a name is a layer of s, an ARN names its own partition, region and
// account. Text that starts with "arn:" but is not a layer ARN names the layer after its last
// colon, as Lambda's handlers have always read it.
func ResolveLayer(s Scope, nameOrARN string) Layer {
	if !strings.HasPrefix(nameOrARN, "arn:") {
		return Layer{Scope: s, Name: nameOrARN}
	}
	if a, err := Parse(nameOrARN); err == nil {
		if name, ok := strings.CutPrefix(a.Resource, "layer:"); ok && !strings.Contains(name, ":") {
			return Layer{Scope: Scope{Partition: a.Partition, Region: a.Region, Account: a.Account}, Name: name}
		}
	}
	return Layer{Scope: s, Name: nameOrARN[strings.LastIndexByte(nameOrARN, ':')+1:]}
}

// LayerVersion is a parsed layer version ARN.
type LayerVersion struct {
	Layer
	Version int64
}

// ARN is the layer version's ARN.
func (v LayerVersion) ARN() ARN { return v.Layer.Version(v.Version) }

// ParseLayerVersion parses arn:aws:lambda:us-east-1:123456789012:layer:name:3 (the model's
// LayerVersionArn); the version is decimal digits, so "03" is version 3, whose ARN ends ":3".
func ParseLayerVersion(s string) (LayerVersion, error) {
	a, err := Parse(s)
	if err != nil {
		return LayerVersion{}, err
	}
	parts := strings.Split(a.Resource, ":")
	if a.Service != "lambda" || len(parts) != 3 || parts[0] != "layer" || parts[1] == "" {
		return LayerVersion{}, fmt.Errorf("arn: %q is not a layer version: %w", s, ErrMalformed)
	}
	v, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || strings.Trim(parts[2], "0123456789") != "" {
		return LayerVersion{}, fmt.Errorf("arn: %q is not a layer version: %w", s, ErrMalformed)
	}
	return LayerVersion{Layer: Layer{Scope: Scope{Partition: a.Partition, Region: a.Region, Account: a.Account}, Name: parts[1]}, Version: v}, nil
}
