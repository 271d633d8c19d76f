package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamlocal/iamlocal/protocol/model"
)

// TestGeneratedCodeIsCurrent regenerates every API package in memory and compares it with the
// committed files, so a model or generator change without `go generate ./api/...` fails CI.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	t.Parallel()
	for _, svc := range []string{"iam", "sts", "lambda", "logs", "cloudwatch", "accessanalyzer"} {
		t.Run(svc, func(t *testing.T) {
			t.Parallel()
			src := filepath.Join("..", "awsdata", "models", svc+".json")
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatalf("the AWS models in internal/awsdata/models are needed to check generated code: %v", err)
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
			files, err := Generate(m, svc+"api")
			if err != nil {
				t.Fatal(err)
			}
			files["model.json"] = compact
			for name, want := range files {
				got, err := os.ReadFile(filepath.Join("..", "..", "api", svc+"api", name))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("api/%sapi/%s is stale: run go generate ./api/...", svc, name)
				}
			}
		})
	}
}

// TestModelPatternsCompile makes sure every constraint pattern the validator will enforce
// translates to RE2; a pattern that does not would silently go unchecked.
func TestModelPatternsCompile(t *testing.T) {
	t.Parallel()
	for _, svc := range []string{"iam", "sts", "lambda", "logs", "cloudwatch", "accessanalyzer"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "api", svc+"api", "model.json"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := model.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		for name, sh := range m.Shapes {
			if sh.Pattern != "" && sh.PatternRE() == nil {
				t.Errorf("%s: pattern of %s does not compile: %q", svc, name, sh.Pattern)
			}
		}
	}
}
