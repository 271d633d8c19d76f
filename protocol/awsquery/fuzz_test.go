package awsquery_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/awsquery"
)

// FuzzQueryDecode decodes random form strings against every IAM and STS operation's input shape:
// it never panics, every failure is an *awserr.Error, and whatever decodes can be validated and
// answered with a well-formed XML error.
func FuzzQueryDecode(f *testing.F) {
	for _, seed := range []string{
		"",
		"Action=CreateUser&UserName=bob&Path=%2F&Tags.member.1.Key=k&Tags.member.1.Value=v",
		"Action=ListUsers&MaxItems=abc",
		"MaxItems=2147483648&OnlyAttached=maybe",
		"Tags.member.3.Key=c&Tags.member.1.Key=a&Tags=",
		"Tags.member.01.Key=a&Tags.member.+1.Key=b&Tags.member.0.Key=z",
		"PolicyArns.member.1.arn=arn%3Aaws&TransitiveTagKeys.member.99999999999999999999=x",
		"RoleSessionName=%00%FF%0D&DurationSeconds=-1",
		"ClientIDList.member.1=a&ThumbprintList.member.1=" + string(bytes.Repeat([]byte("f"), 40)),
		"Tags.member.1.Key.member.1=x&Tags.member.1=y&Tags.member.1.Value.entry.1.key=z",
		"PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D&PolicyName=p&UserName=u",
		"%zz=1&a=%",
		"ContextEntries.member.1.ContextKeyValues.member.1=v&ContextEntries.member.1.ContextKeyType=string",
	} {
		f.Add(seed)
	}
	ops := append(iamapi.Operations(iamapi.Unimplemented{}), stsapi.Operations(stsapi.Unimplemented{})...)
	iam, sts := iamapi.Model(), stsapi.Model()
	f.Fuzz(func(t *testing.T, raw string) {
		params, _ := url.ParseQuery(raw) // what parsed before an error is still decoded, as garbage must be
		for _, op := range ops {
			in := op.NewInput()
			err := awsquery.Decode(op.Model.Input, params, in)
			svc := iam
			if op.Model.Input != nil && sts.Shapes[op.Model.Input.Name] == op.Model.Input {
				svc = sts
			}
			if err != nil {
				var ae *awserr.Error
				if !errors.As(err, &ae) {
					t.Fatalf("%s: error %T %v is not an *awserr.Error", op.Name(), err, err)
				}
				if ae.Status != 400 || !ae.Sender {
					t.Fatalf("%s: client garbage answered %d sender=%v", op.Name(), ae.Status, ae.Sender)
				}
				mustParseXML(t, awsquery.EncodeError(svc, ae, "rid"))
				continue
			}
			if op.Model.Input == nil {
				continue
			}
			if vs := protocol.Validate(op.Model.Input, in); len(vs) > 0 {
				mustParseXML(t, awsquery.EncodeError(svc, awserr.Validation("%s", protocol.ValidationMessage(vs)), "rid"))
			}
		}
	})
}

func mustParseXML(t *testing.T, body []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		if _, err := dec.Token(); err != nil {
			if err != io.EOF {
				t.Fatalf("error body is not well-formed XML: %v\n%q", err, body)
			}
			return
		}
	}
}
