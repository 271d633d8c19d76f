package lambda

import (
	"bytes"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// The function name forms of the Lambda API Reference ("Name formats") and the malformed
// ones the recordings show.
func TestParseFunctionName(t *testing.T) {
	cases := []struct {
		in   string
		want arn.FunctionRef
		code string
	}{
		{"my-function", arn.FunctionRef{Name: "my-function"}, ""},
		{"my-function:v1", arn.FunctionRef{Name: "my-function", Qualifier: "v1"}, ""},
		{"my-function:$LATEST", arn.FunctionRef{Name: "my-function", Qualifier: "$LATEST"}, ""},
		{"123456789012:function:my-function", arn.FunctionRef{Account: "123456789012", Name: "my-function"}, ""},
		{"123456789012:function:my-function:7", arn.FunctionRef{Account: "123456789012", Name: "my-function", Qualifier: "7"}, ""},
		{"arn:aws:lambda:us-west-2:123456789012:function:my-function", arn.FunctionRef{Partition: "aws", Region: "us-west-2", Account: "123456789012", Name: "my-function"}, ""},
		{"arn:aws-cn:lambda:cn-north-1:123456789012:function:f:prod", arn.FunctionRef{Partition: "aws-cn", Region: "cn-north-1", Account: "123456789012", Name: "f", Qualifier: "prod"}, ""},
		{"invalid:function:name", arn.FunctionRef{}, "ValidationException"},
		{"arn:aws:lambda:us-east-1:123400000000@function:myfn", arn.FunctionRef{}, "ValidationException"},
		{"", arn.FunctionRef{}, "ValidationException"},
		{strings.Repeat("a", 65), arn.FunctionRef{}, "InvalidParameterValueException"},
	}
	for _, c := range cases {
		got, err := ParseFunctionName(c.in)
		if c.code != "" {
			wantErr(t, err, c.code, "")
			continue
		}
		ok(t, err)
		if got != c.want {
			t.Errorf("ParseFunctionName(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

// FuzzFunctionName: any text parses or fails with a typed AWS error, never panics; what
// parses has a name of at most 64 characters and re-parses to itself when rebuilt.
func FuzzFunctionName(f *testing.F) {
	for _, s := range []string{"f", "f:1", "f:$LATEST", "123456789012:function:f", "arn:aws:lambda:us-east-1:123456789012:function:f:alias",
		"arn:aws:lambda:us-east-1:123456789012:f", "us-east-1:123456789012:function:f", "::::", "arn:", "f:$LATEST.PUBLISHED"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseFunctionName(s)
		if err != nil {
			if _, isAWS := awserr.As(err); !isAWS {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if ref.Name == "" || len(ref.Name) > 64 {
			t.Fatalf("%q parsed to name %q", s, ref.Name)
		}
		rebuilt := "arn:aws:lambda:us-east-1:123456789012:function:" + ref.Name
		if ref.Qualifier != "" {
			rebuilt += ":" + ref.Qualifier
		}
		again, err := ParseFunctionName(rebuilt)
		if err != nil || again.Name != ref.Name || again.Qualifier != ref.Qualifier {
			t.Fatalf("%q -> %+v, rebuilt %q -> %+v, %v", s, ref, rebuilt, again, err)
		}
	})
}

// FuzzZip: any bytes are a valid package or a typed error; never a panic.
func FuzzZip(f *testing.F) {
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Add(zipOf(f, map[string]string{"a.py": "x = 1\n", "dir/b.txt": strings.Repeat("b", 1000)}))
	f.Add([]byte("not a zip"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ValidateZip(data)
		if err != nil {
			e, isAWS := awserr.As(err)
			if !isAWS || e.Code != "InvalidParameterValueException" && e.Code != "RequestEntityTooLargeException" {
				t.Fatalf("error %v", err)
			}
			return
		}
		if n < 0 || n > maxUnzipped {
			t.Fatalf("unzipped size %d", n)
		}
	})
}

// ValidateZip's limits: 50 MB zipped (413, recorded test_oversized_zipped_create_lambda) and
// 250 MB unzipped (recorded test_oversized_unzipped_lambda), checked without trusting the
// sizes the archive declares.
func TestValidateZipLimits(t *testing.T) {
	_, err := ValidateZip(make([]byte, maxZipped+1))
	wantErr(t, err, "RequestEntityTooLargeException", "Zipped size must be smaller than 52428800 bytes")
	big := zipOf(t, map[string]string{"a": strings.Repeat("0", 1<<20)})
	n, err := ValidateZip(big)
	ok(t, err)
	if n != 1<<20 {
		t.Errorf("unzipped size = %d", n)
	}
	corrupt := bytes.Replace(big, []byte("PK\x03\x04"), []byte("PK\x03\x05"), 1)
	_, err = ValidateZip(corrupt)
	wantErr(t, err, "InvalidParameterValueException", msgBadZip)
}
