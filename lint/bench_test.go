package lint_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/lint"
)

// BenchmarkCheckMisspelt lints a policy of 20 statements whose actions name services and
// actions that do not exist, the case that searches every service for the nearest name.
func BenchmarkCheckMisspelt(b *testing.B) {
	var stmts []string
	for i := range 20 {
		stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":["svc%d:DoThing%d","iam:GetUsr%d"],"Resource":"*"}`, i, i, i))
	}
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	b.ReportAllocs()
	for b.Loop() {
		if len(lint.Check(doc, lint.Options{})) == 0 {
			b.Fatal("no findings")
		}
	}
}
