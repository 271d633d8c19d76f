package arn

import (
	"errors"
	"strings"
	"testing"
)

// The function name forms of the Lambda API Reference ("Name formats") and the malformed
// ones the recordings show.
func TestParseFunctionName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    FunctionRef
		bad     bool
		tooLong bool
	}{
		{in: "my-function", want: FunctionRef{Name: "my-function"}},
		{in: "my-function:v1", want: FunctionRef{Name: "my-function", Qualifier: "v1"}},
		{in: "my-function:$LATEST", want: FunctionRef{Name: "my-function", Qualifier: "$LATEST"}},
		{in: "my-function:$LATEST.PUBLISHED", want: FunctionRef{Name: "my-function", Qualifier: "$LATEST.PUBLISHED"}},
		{in: "123456789012:function:my-function", want: FunctionRef{Account: "123456789012", Name: "my-function"}},
		{in: "123456789012:function:my-function:7", want: FunctionRef{Account: "123456789012", Name: "my-function", Qualifier: "7"}},
		{in: "arn:aws:lambda:us-west-2:123456789012:function:my-function", want: FunctionRef{Partition: "aws", Region: "us-west-2", Account: "123456789012", Name: "my-function"}},
		{in: "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:prod", want: FunctionRef{Partition: "aws-cn", Region: "cn-north-1", Account: "123456789012", Name: "f", Qualifier: "prod"}},
		{in: "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f", want: FunctionRef{Partition: "aws-us-gov", Region: "us-gov-west-1", Account: "123456789012", Name: "f"}},
		{in: "arn:aws-eusc:lambda:eusc-de-east-1:123456789012:function:f", want: FunctionRef{Partition: "aws-eusc", Region: "eusc-de-east-1", Account: "123456789012", Name: "f"}},
		{in: "invalid:function:name", bad: true},
		{in: "arn:aws:lambda:us-east-1:123400000000@function:myfn", bad: true},
		{in: "", bad: true},
		{in: "arn:aws:lambda:us-east-1:123456789012:function:" + strings.Repeat("a", 250), bad: true},
		{in: strings.Repeat("a", 65), want: FunctionRef{Name: strings.Repeat("a", 65)}, bad: true, tooLong: true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFunctionName(c.in)
			var nameErr *FunctionNameError
			if c.bad != errors.As(err, &nameErr) || c.bad && nameErr.TooLong != c.tooLong {
				t.Fatalf("ParseFunctionName(%q) error %v, want bad=%v tooLong=%v", c.in, err, c.bad, c.tooLong)
			}
			if got != c.want {
				t.Fatalf("ParseFunctionName(%q) = %+v, want %+v", c.in, got, c.want)
			}
		})
	}
}

// ResolveFunction fills what the name leaves out from the request's scope, and names the
// function even when the handler must refuse the request.
func TestResolveFunction(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, qualifier string
		want            string // QualifiedARN
		err             error
	}{
		{"f", "", "arn:aws:lambda:us-east-1:123456789012:function:f", nil},
		{"f", "prod", "arn:aws:lambda:us-east-1:123456789012:function:f:prod", nil},
		{"f:prod", "prod", "arn:aws:lambda:us-east-1:123456789012:function:f:prod", nil},
		{"210987654321:function:f:1", "", "arn:aws:lambda:us-east-1:210987654321:function:f:1", nil},
		{"arn:aws:lambda:us-east-1:123456789012:function:f", "$LATEST", "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST", nil},
		{"arn:aws-cn:lambda:us-east-1:123456789012:function:f", "", "arn:aws:lambda:us-east-1:123456789012:function:f", nil},
		{"arn::lambda:us-east-1:123456789012:function:f", "", "arn:aws:lambda:us-east-1:123456789012:function:f", nil},
		{"f:1", "2", "arn:aws:lambda:us-east-1:123456789012:function:f:1", ErrQualifiersDiffer},
		{"arn:aws:lambda:eu-west-1:123456789012:function:f", "", "arn:aws:lambda:eu-west-1:123456789012:function:f", &RegionError{}},
		{strings.Repeat("a", 65), "", "arn:aws:lambda:us-east-1:123456789012:function:" + strings.Repeat("a", 65), &FunctionNameError{}},
		{"arn:aws:lambda:eu-west-1:123456789012:function:" + strings.Repeat("a", 65), "", "arn:aws:lambda:eu-west-1:123456789012:function:" + strings.Repeat("a", 65), &FunctionNameError{}},
		{strings.Repeat("a", 65), "1", "arn:aws:lambda:us-east-1:123456789012:function:" + strings.Repeat("a", 65) + ":1", &FunctionNameError{}},
		{"arn:aws:lambda:eu-west-1:123456789012:function:f", "prod", "arn:aws:lambda:eu-west-1:123456789012:function:f:prod", &RegionError{}},
		{"arn:aws:lambda:eu-west-1:123456789012:function:f:1", "2", "arn:aws:lambda:eu-west-1:123456789012:function:f:1", &RegionError{}},
		{"bad name", "", "", &FunctionNameError{}},
	}
	for _, c := range cases {
		t.Run(c.name+"|"+c.qualifier, func(t *testing.T) {
			t.Parallel()
			f, err := ResolveFunction(regional, c.name, c.qualifier)
			switch want := c.err.(type) {
			case nil:
				if err != nil {
					t.Fatalf("error %v", err)
				}
			case *RegionError:
				var re *RegionError
				if !errors.As(err, &re) || re.Region != "eu-west-1" || re.RequestRegion != "us-east-1" {
					t.Fatalf("error %v, want a RegionError", err)
				}
			case *FunctionNameError:
				if !errors.As(err, &want) {
					t.Fatalf("error %v, want a FunctionNameError", err)
				}
			default:
				if !errors.Is(err, c.err) {
					t.Fatalf("error %v, want %v", err, c.err)
				}
			}
			if c.want == "" {
				if f != (Function{}) {
					t.Fatalf("function %+v for an unparsable name", f)
				}
				return
			}
			if got := f.QualifiedARN().String(); got != c.want {
				t.Fatalf("QualifiedARN = %q, want %q", got, c.want)
			}
			if got := f.ARN().String(); !strings.HasPrefix(c.want, got) || strings.Count(got, ":") != 6 {
				t.Fatalf("ARN = %q, not the unqualified %q", got, c.want)
			}
		})
	}
}

func TestLayers(t *testing.T) {
	t.Parallel()
	layers := []struct{ in, want string }{
		{"lib", "arn:aws:lambda:us-east-1:123456789012:layer:lib"},
		{"arn:aws:lambda:us-east-1:210987654321:layer:lib", "arn:aws:lambda:us-east-1:210987654321:layer:lib"},
		{"arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:lib", "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:lib"},
		{"arn:aws:lambda:us-east-1:123456789012:layer:lib:3", "arn:aws:lambda:us-east-1:123456789012:layer:3"},
	}
	for _, c := range layers {
		if got := ResolveLayer(regional, c.in).ARN().String(); got != c.want {
			t.Errorf("ResolveLayer(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	versions := []struct {
		in   string
		want string // "" when it does not parse
	}{
		{"arn:aws:lambda:us-east-1:123456789012:layer:lib:3", "arn:aws:lambda:us-east-1:123456789012:layer:lib:3"},
		{"arn:aws:lambda:us-east-1:123456789012:layer:lib:03", "arn:aws:lambda:us-east-1:123456789012:layer:lib:3"},
		{"arn:aws:lambda:us-east-1:123456789012:layer:lib", ""},
		{"arn:aws:lambda:us-east-1:123456789012:layer:lib:+3", ""},
		{"arn:aws:lambda:us-east-1:123456789012:layer:lib:x", ""},
		{"arn:aws:lambda:us-east-1:123456789012:layer::3", ""},
		{"arn:aws:lambda:us-east-1:123456789012:function:f:3", ""},
		{"arn:aws:s3:us-east-1:123456789012:layer:lib:3", ""},
	}
	for _, c := range versions {
		v, err := ParseLayerVersion(c.in)
		got := ""
		if err == nil {
			got = v.ARN().String()
		} else if !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseLayerVersion(%q): untyped error %v", c.in, err)
		}
		if got != c.want {
			t.Errorf("ParseLayerVersion(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// FuzzFunctionName: any text parses or fails with a *FunctionNameError, never panics; what
// parses has a name of at most 64 characters and re-parses to itself when rebuilt.
func FuzzFunctionName(f *testing.F) {
	for _, s := range []string{"f", "f:1", "f:$LATEST", "123456789012:function:f", "arn:aws:lambda:us-east-1:123456789012:function:f:alias",
		"arn:aws:lambda:us-east-1:123456789012:f", "us-east-1:123456789012:function:f", "::::", "arn:", "f:$LATEST.PUBLISHED"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseFunctionName(s)
		if err != nil {
			var nameErr *FunctionNameError
			if !errors.As(err, &nameErr) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if ref.Name == "" || len(ref.Name) > 64 {
			t.Fatalf("%q parsed to name %q", s, ref.Name)
		}
		rebuilt := regional.FunctionVersion(ref.Name, ref.Qualifier).String()
		again, err := ParseFunctionName(rebuilt)
		if err != nil || again.Name != ref.Name || again.Qualifier != ref.Qualifier {
			t.Fatalf("%q -> %+v, rebuilt %q -> %+v, %v", s, ref, rebuilt, again, err)
		}
	})
}
