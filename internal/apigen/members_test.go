package main

import (
	"bytes"
	"go/format"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamlocal/iamlocal/protocol/model"
)

// TestMembersIsCurrent regenerates package members from the models and compares it with the
// committed file.
func TestMembersIsCurrent(t *testing.T) {
	t.Parallel()
	var svcs []*model.Service
	for _, svc := range []string{"iam", "sts", "lambda", "logs", "cloudwatch", "accessanalyzer"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "api", svc+"api", "model.json"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := model.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, m)
	}
	want, err := format.Source(Members(svcs))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", "api", "members", "members.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("api/members/members.go is stale: run go generate ./api/...")
	}
}

// Every member read as a tag map is either a string map or a list of Key/Value structures, and
// an accessor reads both the same way.
func TestTagAccessorKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		model string
		want  accessorKind
	}{
		{`{"type":"map","key":{"shape":"S"},"value":{"shape":"S"}}`, mapAccessor},
		{`{"type":"list","member":{"shape":"Tag"}}`, mapAccessor},
		{`{"type":"list","member":{"shape":"S"}}`, listAccessor},
		{`{"type":"list","member":{"shape":"Other"}}`, noAccessor},
		{`{"type":"long"}`, intAccessor},
		{`{"type":"timestamp"}`, noAccessor},
	}
	for _, tt := range tests {
		src := `{"metadata":{"endpointPrefix":"t","protocol":"json"},"operations":{},"shapes":{"X":` + tt.model + `,` +
			`"S":{"type":"string"},"Tag":{"type":"structure","members":{"Key":{"shape":"S"},"Value":{"shape":"S"}}},` +
			`"Other":{"type":"structure","members":{"Name":{"shape":"S"}}}}}`
		svc, err := model.Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if got := kindOf(svc.Shapes["X"]); got != tt.want {
			t.Errorf("%s: kind %d, want %d", tt.model, got, tt.want)
		}
	}
}
