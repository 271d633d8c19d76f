package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// A database damaged under a running server: the requests it breaks answer 500, the process
// survives, and health stops saying ok (503, "degraded", naming the storage failure).
func TestHealthReportsStorageDamage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
		want   string // in health's "storage"
	}{
		{"a record garbled", func(t *testing.T, path string) {
			// Every stored copy of the user's record loses the colon after "path": JSON no more.
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			marker := []byte(`"path":"/damaged-here/"`)
			if bytes.Count(raw, marker) == 0 {
				t.Fatal("the user's record is not in the file")
			}
			garbled := bytes.ReplaceAll(raw, marker, []byte("\"path\"\x01\"/damaged-here/\""))
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(garbled, 0); err != nil { // same length: no page moves
				t.Fatal(err)
			}
		}, "invalid character"},
		{"the file cut short", func(t *testing.T, path string) {
			// Two pages are left: the meta pages. Reading any other page of the mapping faults.
			if err := os.Truncate(path, 8192); err != nil {
				t.Fatal(err)
			}
		}, "panic reading the database"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "iamlocal.db")
			srv := emulatortest.New(t, func(o *emulator.Options) { o.DBPath = path })
			ctx := context.Background()
			admin := iam.NewFromConfig(srv.AWSConfig(ctx))
			if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("victim"), Path: aws.String("/damaged-here/")}); err != nil {
				t.Fatal(err)
			}
			if status, _ := health(t, srv); status != http.StatusOK {
				t.Fatalf("health before the damage = %d", status)
			}
			tc.damage(t, path)
			_, err := admin.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("victim")})
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusInternalServerError {
				t.Fatalf("GetUser of the damaged record = %v, want a 500", err)
			}
			status, body := health(t, srv)
			if status != http.StatusServiceUnavailable || body["status"] != "degraded" || !strings.Contains(body["storage"].(string), tc.want) {
				t.Fatalf("health after the damage = %d %v, want 503 degraded with storage %q", status, body, tc.want)
			}
		})
	}
}

func health(t *testing.T, srv *emulatortest.Server) (int, map[string]any) {
	t.Helper()
	resp, body := rawDo(t, mustReq(t, "GET", srv.URL+"/_iamlocal/health"))
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("health body %q: %v", body, err)
	}
	if _, ok := doc["storage"]; !ok {
		doc["storage"] = ""
	}
	return resp.StatusCode, doc
}
