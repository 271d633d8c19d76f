package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamlocal/iamlocal/protocol/model"
)

// TestQueryTestCodeIsCurrent regenerates internal/querytestapi, the synthetic Query model's
// package the awsquery tests check generated encoders on, and compares it with the committed
// files.
func TestQueryTestCodeIsCurrent(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "querytest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var anyModel any
	if err := json.Unmarshal(data, &anyModel); err != nil {
		t.Fatal(err)
	}
	compact, _ := json.Marshal(anyModel)
	m, err := model.Parse(compact)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(m, "querytestapi")
	if err != nil {
		t.Fatal(err)
	}
	if files["queryxml.go"] == nil {
		t.Fatal("a query model generates no queryxml.go")
	}
	files["model.json"] = compact
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", "querytestapi", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("internal/querytestapi/%s is stale: run go generate ./internal/querytestapi", name)
		}
	}
}

// TestQueryXMLOnlyForQueryServices: a service with no Query face gets no encoders, and
// CloudWatch, whose model lists query after CBOR and JSON, does.
func TestQueryXMLOnlyForQueryServices(t *testing.T) {
	t.Parallel()
	tests := []struct {
		svc  string
		want bool
	}{
		{"iam", true}, {"sts", true}, {"cloudwatch", true}, {"lambda", false}, {"logs", false}, {"accessanalyzer", false},
	}
	for _, tt := range tests {
		t.Run(tt.svc, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join("..", "..", "api", tt.svc+"api", "model.json"))
			if err != nil {
				t.Fatal(err)
			}
			m, err := model.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if got := speaksQuery(m); got != tt.want {
				t.Errorf("speaksQuery = %v, want %v", got, tt.want)
			}
		})
	}
}
