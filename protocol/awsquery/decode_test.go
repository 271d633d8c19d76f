package awsquery_test

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/awsquery"
	"github.com/iamlocal/iamlocal/protocol/model"
)

func p[T any](v T) *T { return &v }

func form(t *testing.T, s string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(s)
	if err != nil {
		t.Fatalf("bad test form %q: %v", s, err)
	}
	return v
}

// decodeOp decodes a form into a fresh input struct of the named operation.
func decodeOp(t *testing.T, svc *model.Service, ops []protocol.Operation, name, body string) (any, error) {
	t.Helper()
	for _, op := range ops {
		if op.Name() == name {
			in := op.NewInput()
			return in, awsquery.Decode(op.Model.Input, form(t, body), in)
		}
	}
	t.Fatalf("no operation %s in %s", name, svc.Name)
	return nil, nil
}

func TestDecodeIAM(t *testing.T) {
	t.Parallel()
	svc, ops := iamapi.Model(), iamapi.Operations(iamapi.Unimplemented{})
	tests := []struct {
		name, op, body string
		want           any
	}{
		{"strings", "CreateUser", "Action=CreateUser&UserName=bob&Path=%2Fdev%2F",
			&iamapi.CreateUserRequest{UserName: p("bob"), Path: p("/dev/")}},
		{"empty string is present", "CreateUser", "UserName=",
			&iamapi.CreateUserRequest{UserName: p("")}},
		{"first value wins", "CreateUser", "UserName=first&UserName=second",
			&iamapi.CreateUserRequest{UserName: p("first")}},
		{"unknown parameters ignored", "CreateUser", "UserName=bob&Bogus=1&Tags.member.1.Bogus=x",
			&iamapi.CreateUserRequest{UserName: p("bob"), Tags: []iamapi.Tag{{}}}},
		{"tags list of structures", "CreateUser",
			"UserName=bob&Tags.member.1.Key=env&Tags.member.1.Value=prod&Tags.member.2.Key=team&Tags.member.2.Value=",
			&iamapi.CreateUserRequest{UserName: p("bob"), Tags: []iamapi.Tag{
				{Key: p("env"), Value: p("prod")}, {Key: p("team"), Value: p("")}}}},
		{"out of order indexes sorted by index", "TagUser",
			"UserName=bob&Tags.member.3.Key=c&Tags.member.1.Key=a&Tags.member.2.Key=b",
			&iamapi.TagUserRequest{UserName: p("bob"), Tags: []iamapi.Tag{{Key: p("a")}, {Key: p("b")}, {Key: p("c")}}}},
		{"sparse indexes compacted in order", "TagUser",
			"Tags.member.10.Key=ten&Tags.member.2.Key=two&Tags.member.7.Key=seven",
			&iamapi.TagUserRequest{Tags: []iamapi.Tag{{Key: p("two")}, {Key: p("seven")}, {Key: p("ten")}}}},
		{"index zero, negative and non-canonical ignored", "UntagUser",
			"UserName=bob&TagKeys.member.0=zero&TagKeys.member.-1=neg&TagKeys.member.01=lead&TagKeys.member.%2B2=plus&TagKeys.member.x=x&TagKeys.member.1=one",
			&iamapi.UntagUserRequest{UserName: p("bob"), TagKeys: []string{"one"}}},
		{"list of strings", "UntagUser", "UserName=bob&TagKeys.member.1=a&TagKeys.member.2=b",
			&iamapi.UntagUserRequest{UserName: p("bob"), TagKeys: []string{"a", "b"}}},
		{"empty list", "UntagUser", "UserName=bob&TagKeys=",
			&iamapi.UntagUserRequest{UserName: p("bob"), TagKeys: []string{}}},
		{"absent list stays nil", "UntagUser", "UserName=bob",
			&iamapi.UntagUserRequest{UserName: p("bob")}},
		{"integer", "ListUsers", "MaxItems=100&Marker=abc&PathPrefix=%2F",
			&iamapi.ListUsersRequest{MaxItems: p(int32(100)), Marker: p("abc"), PathPrefix: p("/")}},
		{"integer with spaces and sign", "ListUsers", "MaxItems=+7",
			&iamapi.ListUsersRequest{MaxItems: p(int32(7))}},
		{"negative integer decodes, validation rejects it later", "ListUsers", "MaxItems=-1",
			&iamapi.ListUsersRequest{MaxItems: p(int32(-1))}},
		{"boolean true", "ListPolicies", "OnlyAttached=true&Scope=Local",
			&iamapi.ListPoliciesRequest{OnlyAttached: p(true), Scope: p("Local")}},
		{"boolean is case-insensitive", "ListPolicies", "OnlyAttached=FALSE",
			&iamapi.ListPoliciesRequest{OnlyAttached: p(false)}},
		{"nested structure", "CreateUser", "UserName=bob&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FX",
			&iamapi.CreateUserRequest{UserName: p("bob"), PermissionsBoundary: p("arn:aws:iam::aws:policy/X")}},
		{"no input parameters", "GetAccountSummary", "Action=GetAccountSummary", &iamapi.Empty{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeOp(t, svc, ops, tt.op, tt.body)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decode(%q)\n got %s\nwant %s", tt.body, dump(got), dump(tt.want))
			}
		})
	}
}

func TestDecodeSTS(t *testing.T) {
	t.Parallel()
	svc, ops := stsapi.Model(), stsapi.Operations(stsapi.Unimplemented{})
	tests := []struct {
		name, op, body string
		want           any
	}{
		{"assume role nested lists", "AssumeRole",
			"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s" +
				"&DurationSeconds=900&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FA&PolicyArns.member.2.arn=arn%3Ab" +
				"&Tags.member.1.Key=k1&Tags.member.1.Value=v1&Tags.member.2.Key=k2&Tags.member.2.Value=v2" +
				"&TransitiveTagKeys.member.1=k1&ProvidedContexts.member.1.ProviderArn=arn%3Ap&ProvidedContexts.member.1.ContextAssertion=ctx",
			&stsapi.AssumeRoleRequest{
				RoleArn: p("arn:aws:iam::123456789012:role/r"), RoleSessionName: p("s"), DurationSeconds: p(int32(900)),
				PolicyArns:        []stsapi.PolicyDescriptorType{{Arn: p("arn:aws:iam::aws:policy/A")}, {Arn: p("arn:b")}},
				Tags:              []stsapi.Tag{{Key: p("k1"), Value: p("v1")}, {Key: p("k2"), Value: p("v2")}},
				TransitiveTagKeys: []string{"k1"},
				ProvidedContexts:  []stsapi.ProvidedContext{{ProviderArn: p("arn:p"), ContextAssertion: p("ctx")}},
			}},
		{"member names are case-sensitive", "AssumeRole", "PolicyArns.member.1.Arn=wrong-case&RoleSessionName=s",
			&stsapi.AssumeRoleRequest{RoleSessionName: p("s"), PolicyArns: []stsapi.PolicyDescriptorType{{}}}},
		{"get caller identity has an empty input", "GetCallerIdentity", "Action=GetCallerIdentity",
			&stsapi.GetCallerIdentityRequest{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeOp(t, svc, ops, tt.op, tt.body)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decode(%q)\n got %s\nwant %s", tt.body, dump(got), dump(tt.want))
			}
		})
	}
}

// A value that does not parse as its shape's type is a typed client error naming the parameter.
func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	iamOps := iamapi.Operations(iamapi.Unimplemented{})
	stsOps := stsapi.Operations(stsapi.Unimplemented{})
	tests := []struct {
		name string
		svc  *model.Service
		ops  []protocol.Operation
		op   string
		body string
		msg  string
	}{
		{"integer word", iamapi.Model(), iamOps, "ListUsers", "MaxItems=abc",
			"Invalid integer value 'abc' for parameter MaxItems"},
		{"integer overflow", iamapi.Model(), iamOps, "ListUsers", "MaxItems=2147483648",
			"Invalid integer value '2147483648' for parameter MaxItems"},
		{"integer fraction", iamapi.Model(), iamOps, "ListUsers", "MaxItems=1.5",
			"Invalid integer value '1.5' for parameter MaxItems"},
		{"empty integer", iamapi.Model(), iamOps, "ListUsers", "MaxItems=",
			"Invalid integer value '' for parameter MaxItems"},
		{"boolean", iamapi.Model(), iamOps, "ListPolicies", "OnlyAttached=yes",
			"Invalid boolean value 'yes' for parameter OnlyAttached"},
		{"nested integer", stsapi.Model(), stsOps, "AssumeRole", "DurationSeconds=1h",
			"Invalid integer value '1h' for parameter DurationSeconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := decodeOp(t, tt.svc, tt.ops, tt.op, tt.body)
			var ae *awserr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("Decode error = %v, want *awserr.Error", err)
			}
			if ae.Code != "MalformedInput" || ae.Status != http.StatusBadRequest || !ae.Sender {
				t.Errorf("error = %+v", ae)
			}
			if ae.Message != tt.msg {
				t.Errorf("message = %q, want %q", ae.Message, tt.msg)
			}
		})
	}
}

// synthetic covers what the IAM and STS inputs do not have: flattened lists and maps, maps with
// renamed keys, every scalar type, lists of lists and of blobs.
const syntheticModel = `{
  "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "ex", "protocol": "query", "xmlNamespace": "https://ex.amazonaws.com/doc/2020-01-01/"},
  "operations": {"Do": {"name": "Do", "http": {"method": "POST", "requestUri": "/"},
    "input": {"shape": "In"}, "output": {"shape": "In", "resultWrapper": "DoResult"}}},
  "shapes": {
    "In": {"type": "structure", "members": {
      "Str": {"shape": "S"}, "Int": {"shape": "I"}, "Long": {"shape": "L"}, "Dbl": {"shape": "D"},
      "Flt": {"shape": "F"}, "Bool": {"shape": "B"}, "When": {"shape": "T"}, "Data": {"shape": "Blob"},
      "Flat": {"shape": "FlatList"}, "FlatItems": {"shape": "ItemList", "flattened": true},
      "Named": {"shape": "NamedList"}, "Renamed": {"shape": "S", "locationName": "Other"},
      "Attrs": {"shape": "Attrs"}, "Custom": {"shape": "CustomMap"}, "FlatMap": {"shape": "FlatMap"},
      "Nested": {"shape": "Item"}, "Matrix": {"shape": "Matrix"}, "ByName": {"shape": "ItemMap"},
      "Times": {"shape": "TimeList"}, "Blobs": {"shape": "BlobList"}, "Counts": {"shape": "CountMap"}}},
    "Item": {"type": "structure", "members": {"Name": {"shape": "S"}, "Size": {"shape": "I"}, "Inner": {"shape": "Item"}}},
    "S": {"type": "string"}, "I": {"type": "integer"}, "L": {"type": "long"}, "D": {"type": "double"},
    "F": {"type": "float"}, "B": {"type": "boolean"}, "T": {"type": "timestamp"}, "Blob": {"type": "blob"},
    "FlatList": {"type": "list", "member": {"shape": "S"}, "flattened": true},
    "ItemList": {"type": "list", "member": {"shape": "Item"}},
    "NamedList": {"type": "list", "member": {"shape": "S", "locationName": "item"}},
    "Attrs": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
    "CustomMap": {"type": "map", "key": {"shape": "S", "locationName": "Name"}, "value": {"shape": "S", "locationName": "Val"}},
    "FlatMap": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}, "flattened": true},
    "Matrix": {"type": "list", "member": {"shape": "FlatList2"}},
    "FlatList2": {"type": "list", "member": {"shape": "S"}},
    "ItemMap": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "Item"}},
    "CountMap": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "I"}},
    "TimeList": {"type": "list", "member": {"shape": "T"}},
    "BlobList": {"type": "list", "member": {"shape": "Blob"}}
  }}`

type synthItem struct {
	Inner *synthItem
	Name  *string
	Size  *int32
}

type synthIn struct {
	Attrs     map[string]string
	Blobs     [][]byte
	Bool      *bool
	ByName    map[string]synthItem
	Counts    map[string]int32
	Custom    map[string]string
	Data      []byte
	Dbl       *float64
	Flat      []string
	FlatItems []synthItem
	FlatMap   map[string]string
	Flt       *float32
	Int       *int32
	Long      *int64
	Matrix    [][]string
	Named     []string
	Nested    *synthItem
	Renamed   *string
	Str       *string
	Times     []time.Time
	When      *time.Time
}

func synthetic(t *testing.T) *model.Service {
	t.Helper()
	svc, err := model.Parse([]byte(syntheticModel))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestDecodeSynthetic(t *testing.T) {
	t.Parallel()
	svc := synthetic(t)
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	tests := []struct {
		name, body string
		want       synthIn
	}{
		{"scalars", "Str=s&Int=-3&Long=9007199254740993&Dbl=2.5&Flt=0.25&Bool=true&When=2024-05-06T07%3A08%3A09Z&Data=aGk%3D",
			synthIn{Str: p("s"), Int: p(int32(-3)), Long: p(int64(9007199254740993)), Dbl: p(2.5), Flt: p(float32(0.25)),
				Bool: p(true), When: &when, Data: []byte("hi")}},
		{"timestamp with offset", "When=2024-05-06T09%3A08%3A09%2B02%3A00", synthIn{When: &when}},
		{"timestamp without zone", "When=2024-05-06T07%3A08%3A09", synthIn{When: &when}},
		{"timestamp epoch seconds", "When=1714979289", synthIn{When: &when}},
		{"timestamp compact offset", "When=2024-05-06T07%3A08%3A09%2B0000", synthIn{When: &when}},
		{"renamed member", "Other=x&Renamed=ignored", synthIn{Renamed: p("x")}},
		{"flattened list", "Flat.2=b&Flat.1=a", synthIn{Flat: []string{"a", "b"}}},
		{"flattened list of structures", "FlatItems.1.Name=a&FlatItems.1.Size=1&FlatItems.2.Name=b",
			synthIn{FlatItems: []synthItem{{Name: p("a"), Size: p(int32(1))}, {Name: p("b")}}}},
		{"list member locationName", "Named.item.1=x&Named.member.2=ignored", synthIn{Named: []string{"x"}}},
		{"map entries", "Attrs.entry.2.key=b&Attrs.entry.2.value=2&Attrs.entry.1.key=a&Attrs.entry.1.value=1",
			synthIn{Attrs: map[string]string{"a": "1", "b": "2"}}},
		{"map entry without key skipped", "Attrs.entry.1.value=orphan&Attrs.entry.2.key=k&Attrs.entry.2.value=v",
			synthIn{Attrs: map[string]string{"k": "v"}}},
		{"map entry without value is empty", "Attrs.entry.1.key=k", synthIn{Attrs: map[string]string{"k": ""}}},
		{"map with renamed key and value", "Custom.entry.1.Name=n&Custom.entry.1.Val=v", synthIn{Custom: map[string]string{"n": "v"}}},
		{"flattened map", "FlatMap.1.key=k&FlatMap.1.value=v", synthIn{FlatMap: map[string]string{"k": "v"}}},
		{"map of integers", "Counts.entry.1.key=Users&Counts.entry.1.value=5", synthIn{Counts: map[string]int32{"Users": 5}}},
		{"map of structures", "ByName.entry.1.key=x&ByName.entry.1.value.Name=n&ByName.entry.1.value.Inner.Size=2",
			synthIn{ByName: map[string]synthItem{"x": {Name: p("n"), Inner: &synthItem{Size: p(int32(2))}}}}},
		{"recursive nested structure", "Nested.Name=a&Nested.Inner.Name=b&Nested.Inner.Inner.Size=3",
			synthIn{Nested: &synthItem{Name: p("a"), Inner: &synthItem{Name: p("b"), Inner: &synthItem{Size: p(int32(3))}}}}},
		{"list of lists", "Matrix.member.1.member.1=a&Matrix.member.1.member.2=b&Matrix.member.2.member.1=c",
			synthIn{Matrix: [][]string{{"a", "b"}, {"c"}}}},
		{"list of timestamps", "Times.member.1=1714979289", synthIn{Times: []time.Time{when}}},
		{"list of blobs", "Blobs.member.1=aGk%3D&Blobs.member.2=", synthIn{Blobs: [][]byte{[]byte("hi"), {}}}},
		{"empty flattened list", "Flat=", synthIn{Flat: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got synthIn
			if err := awsquery.Decode(svc.Operations["Do"].Input, form(t, tt.body), &got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decode(%q)\n got %s\nwant %s", tt.body, dump(got), dump(tt.want))
			}
		})
	}
}

func TestDecodeSyntheticMalformed(t *testing.T) {
	t.Parallel()
	svc := synthetic(t)
	tests := []struct{ body, msg string }{
		{"Long=x", "Invalid long value 'x' for parameter Long"},
		{"Dbl=x", "Invalid double value 'x' for parameter Dbl"},
		{"Flt=x", "Invalid double value 'x' for parameter Flt"},
		{"When=yesterday", "Invalid timestamp value 'yesterday' for parameter When"},
		{"Data=%25%25", "Invalid blob value '%%' for parameter Data"},
		{"Times.member.1=never", "Invalid timestamp value 'never' for parameter Times.member.1"},
		{"Counts.entry.1.key=a&Counts.entry.1.value=x", "Invalid integer value 'x' for parameter Counts.entry.1.value"},
		{"Nested.Inner.Size=big", "Invalid integer value 'big' for parameter Nested.Inner.Size"},
		{"FlatItems.1.Size=big", "Invalid integer value 'big' for parameter FlatItems.1.Size"},
		{"ByName.entry.1.key=k&ByName.entry.1.value.Size=big", "Invalid integer value 'big' for parameter ByName.entry.1.value.Size"},
		{"Matrix.member.1.member.1=a&Counts.entry.1.key=a&Counts.entry.1.value=1.5", "Invalid integer value '1.5' for parameter Counts.entry.1.value"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			t.Parallel()
			var got synthIn
			err := awsquery.Decode(svc.Operations["Do"].Input, form(t, tt.body), &got)
			ae, ok := awserr.As(err)
			if !ok || ae.Code != "MalformedInput" || ae.Message != tt.msg {
				t.Errorf("Decode(%q) error = %v, want MalformedInput %q", tt.body, err, tt.msg)
			}
		})
	}
}

func TestDecodeNilShape(t *testing.T) {
	t.Parallel()
	if err := awsquery.Decode(nil, url.Values{"A": {"b"}}, &struct{}{}); err != nil {
		t.Errorf("Decode(nil shape) = %v", err)
	}
}
