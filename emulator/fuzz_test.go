package emulator_test

import (
	"encoding/xml"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/emulator"
)

// FuzzSignedQuery sends correctly signed IAM and STS requests with arbitrary parameters to
// every operation: whatever the input, the answer is a well-formed AWS response, never a 5xx
// other than 501 NotImplemented, never a panic.
func FuzzSignedQuery(f *testing.F) {
	iamOps, stsOps := iamapi.Model().OpNames, stsapi.Model().OpNames
	for i := range iamOps {
		f.Add(uint16(i), "UserName=alice&RoleName=r1&PolicyArn=arn:aws:iam::aws:policy/ReadOnlyAccess")
	}
	f.Add(uint16(0), "Tags.member.1.Key=k&Tags.member.1.Value=v&Path=/a/")
	f.Add(uint16(3), "PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D&MaxItems=0&Marker=zz")
	f.Add(uint16(len(iamOps)+1), "RoleArn=arn:aws:iam::123456789012:role/x&RoleSessionName=ab&DurationSeconds=-1")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv, err := emulator.New(emulator.Options{DBPath: filepath.Join(f.TempDir(), "db"), Clock: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	h := srv.Handler()
	root := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	f.Fuzz(func(t *testing.T, op uint16, params string) {
		all := append(append([]string(nil), iamOps...), stsOps...)
		action := all[int(op)%len(all)]
		service, version := "iam", "2010-05-08"
		if int(op)%len(all) >= len(iamOps) {
			service, version = "sts", "2011-06-15"
		}
		if vals, err := url.ParseQuery(params); err == nil {
			vals.Del("Action")
			vals.Del("Version")
			params = vals.Encode()
		} else {
			params = url.QueryEscape(params) + "="
		}
		form := "Action=" + action + "&Version=" + version + "&" + params
		req := signedQueryFor(t, root, now, service, form)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != 501 {
			t.Fatalf("%s %s: %d %s", action, params, rec.Code, rec.Body.String())
		}
		var doc struct{ XMLName xml.Name }
		if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatalf("%s: body is not XML: %v %q", action, err, rec.Body.String())
		}
		if rec.Code >= 400 && doc.XMLName.Local != "ErrorResponse" {
			t.Fatalf("%s: error status %d with %s", action, rec.Code, doc.XMLName.Local)
		}
		if rec.Code == 200 && !strings.HasSuffix(doc.XMLName.Local, "Response") {
			t.Fatalf("%s: 200 with %s", action, doc.XMLName.Local)
		}
	})
}
