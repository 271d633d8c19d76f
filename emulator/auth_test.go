package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/iamlocal/iamlocal/emulator"
)

// Authentication remembers a credential only until the database next changes: each write
// below takes effect on the very next request signed with the key it changed.
func TestCredentialChangesTakeEffectAtOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		change   string // a root call, or "reset"
		wantCode string // "" for success
		wantBody string
	}{
		{"deactivated key", "Action=UpdateAccessKey&Version=2010-05-08&UserName=alice&Status=Inactive&AccessKeyId=", "InvalidClientTokenId", ""},
		{"deleted key", "Action=DeleteAccessKey&Version=2010-05-08&UserName=alice&AccessKeyId=", "InvalidClientTokenId", ""},
		{"renamed user", "Action=UpdateUser&Version=2010-05-08&UserName=alice&NewUserName=bob", "", "<UserName>bob</UserName>"},
		{"moved user", "Action=UpdateUser&Version=2010-05-08&UserName=alice&NewPath=/team/", "", "<Arn>arn:aws:iam::123456789012:user/team/alice</Arn>"},
		// GetUser of the caller answers from the record authentication read with the key.
		{"tagged user", "Action=TagUser&Version=2010-05-08&UserName=alice&Tags.member.1.Key=team&Tags.member.1.Value=blue", "", "<Key>team</Key>"},
		{"bounded user", "Action=PutUserPermissionsBoundary&Version=2010-05-08&UserName=alice&PermissionsBoundary=arn:aws:iam::aws:policy/IAMFullAccess", "",
			"<PermissionsBoundaryArn>arn:aws:iam::aws:policy/IAMFullAccess</PermissionsBoundaryArn>"},
		{"reset", "reset", "InvalidClientTokenId", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			srv, err := emulator.New(emulator.Options{DBPath: filepath.Join(t.TempDir(), "db"), Clock: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			h := srv.Handler()
			root := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
			call := func(creds aws.Credentials, form string) (int, string) {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, signedQuery(t, creds, now, form))
				return rec.Code, rec.Body.String()
			}
			mustCall := func(form string) string {
				code, body := call(root, form)
				if code != http.StatusOK {
					t.Fatalf("%s: %d %s", form, code, body)
				}
				return body
			}
			mustCall("Action=CreateUser&Version=2010-05-08&UserName=alice")
			mustCall("Action=PutUserPolicy&Version=2010-05-08&UserName=alice&PolicyName=all&PolicyDocument=" +
				urlEncode(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`))
			out := mustCall("Action=CreateAccessKey&Version=2010-05-08&UserName=alice")
			alice := aws.Credentials{AccessKeyID: between(out, "<AccessKeyId>", "<"), SecretAccessKey: between(out, "<SecretAccessKey>", "<")}
			const getUser = "Action=GetUser&Version=2010-05-08"
			for range 2 { // the second is answered from what the first read
				if code, body := call(alice, getUser); code != http.StatusOK || !strings.Contains(body, "<UserName>alice</UserName>") {
					t.Fatalf("before the change: %d %s", code, body)
				}
			}
			if tc.change == "reset" {
				if err := srv.Reset(); err != nil {
					t.Fatal(err)
				}
			} else {
				form := tc.change
				if strings.HasSuffix(form, "AccessKeyId=") {
					form += alice.AccessKeyID
				}
				mustCall(form)
			}
			code, body := call(alice, getUser)
			if tc.wantCode != "" {
				if code == http.StatusOK || !strings.Contains(body, "<Code>"+tc.wantCode+"</Code>") {
					t.Errorf("after the change: %d %s, want %s", code, body, tc.wantCode)
				}
				return
			}
			if code != http.StatusOK || !strings.Contains(body, tc.wantBody) {
				t.Errorf("after the change: %d %s, want %s", code, body, tc.wantBody)
			}
		})
	}
}
