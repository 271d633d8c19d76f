package emulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The table's faces are built on first use: a new server answering health has parsed no model
// and built no codec, a signed IAM request builds IAM's face alone, and every face's name, known
// before it is built, is the built codec's.
func TestFacesAreBuiltOnFirstUse(t *testing.T) {
	t.Parallel()
	srv := testServer(t, Options{})
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1/_iamlocal/health", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("health: %d %s", rec.Code, rec.Body)
	}
	for _, svc := range srv.services {
		for _, f := range svc.faces {
			if f.(*lazyCodec).built.Load() {
				t.Errorf("%s %s built before any request needed it", svc.name, f.Name())
			}
		}
	}
	rec = httptest.NewRecorder()
	const form = "Action=GetUser&Version=2010-05-08"
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sign(t, req, aws.Credentials{AccessKeyID: DefaultAccessKeyID, SecretAccessKey: DefaultSecretAccessKey}, "iam", form)
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GetUser: %d %s", rec.Code, rec.Body)
	}
	for _, svc := range srv.services {
		for _, f := range svc.faces {
			if got, want := f.(*lazyCodec).built.Load(), svc.name == "iam"; got != want {
				t.Errorf("%s %s: built %v after an IAM request, want %v", svc.name, f.Name(), got, want)
			}
		}
	}
	for _, svc := range srv.services {
		for _, f := range svc.faces {
			if got := f.(*lazyCodec).codec().Name(); got != f.Name() {
				t.Errorf("%s: face named %s builds a %s codec", svc.name, f.Name(), got)
			}
		}
	}
}
