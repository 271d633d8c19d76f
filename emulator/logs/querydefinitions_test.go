package logs

import (
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// Saved queries ("PutQueryDefinition", API Reference): created with a new id, replaced whole by
// id (no value kept: an update without log groups has none), retried by clientToken without a
// second definition, listed by name prefix and language, deleted with success.
func TestQueryDefinitions(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	put := func(in *logsapi.PutQueryDefinitionRequest) string {
		t.Helper()
		out, err := s.PutQueryDefinition(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return protocol.Val(out.QueryDefinitionId)
	}
	token := "3c7a1f6e-8a4b-4bb0-9a1d-0d6d2a1f7e55"
	errorsID := put(&logsapi.PutQueryDefinitionRequest{Name: protocol.Ptr("errors"), QueryString: protocol.Ptr("fields @message | filter @message like /ERROR/"),
		LogGroupNames: []string{"/aws/lambda/fn"}, ClientToken: &token,
		Parameters: []logsapi.QueryParameter{{Name: protocol.Ptr("level"), DefaultValue: protocol.Ptr("ERROR")}}})
	if again := put(&logsapi.PutQueryDefinitionRequest{Name: protocol.Ptr("errors"), QueryString: protocol.Ptr("x"), ClientToken: &token}); again != errorsID {
		t.Errorf("a retried creation made %s, want %s", again, errorsID)
	}
	sqlID := put(&logsapi.PutQueryDefinitionRequest{Name: protocol.Ptr("by-sql"), QueryString: protocol.Ptr("SELECT 1"), QueryLanguage: protocol.Ptr("SQL")})
	list := func(in *logsapi.DescribeQueryDefinitionsRequest) []logsapi.QueryDefinition {
		t.Helper()
		out, err := s.DescribeQueryDefinitions(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return out.QueryDefinitions
	}
	all := list(&logsapi.DescribeQueryDefinitionsRequest{})
	if len(all) != 2 || protocol.Val(all[0].QueryDefinitionId) != sqlID || protocol.Val(all[1].QueryLanguage) != "CWLI" ||
		strings.Join(all[1].LogGroupNames, ",") != "/aws/lambda/fn" || protocol.Val(all[1].Parameters[0].DefaultValue) != "ERROR" ||
		protocol.Val(all[1].LastModified) != now.UnixMilli() {
		t.Fatalf("all: %+v", all)
	}
	if got := list(&logsapi.DescribeQueryDefinitionsRequest{QueryDefinitionNamePrefix: protocol.Ptr("err")}); len(got) != 1 {
		t.Errorf("by prefix: %+v", got)
	}
	if got := list(&logsapi.DescribeQueryDefinitionsRequest{QueryLanguage: protocol.Ptr("SQL")}); len(got) != 1 || protocol.Val(got[0].Name) != "by-sql" {
		t.Errorf("by language: %+v", got)
	}
	page, err := s.DescribeQueryDefinitions(ctx, &logsapi.DescribeQueryDefinitionsRequest{MaxResults: protocol.Ptr(int32(1))})
	if err != nil || len(page.QueryDefinitions) != 1 || page.NextToken == nil {
		t.Fatalf("page: %v %+v", err, page)
	}
	if rest := list(&logsapi.DescribeQueryDefinitionsRequest{NextToken: page.NextToken}); len(rest) != 1 || protocol.Val(rest[0].QueryDefinitionId) != errorsID {
		t.Errorf("next page: %+v", rest)
	}

	put(&logsapi.PutQueryDefinitionRequest{QueryDefinitionId: &errorsID, Name: protocol.Ptr("errors v2"), QueryString: protocol.Ptr("fields @timestamp")})
	got := list(&logsapi.DescribeQueryDefinitionsRequest{QueryDefinitionNamePrefix: protocol.Ptr("errors")})
	if len(got) != 1 || protocol.Val(got[0].Name) != "errors v2" || len(got[0].LogGroupNames) != 0 || len(got[0].Parameters) != 0 {
		t.Errorf("an update keeps nothing: %+v", got)
	}
	missing := "00000000-0000-4000-8000-000000000000"
	if _, err := s.PutQueryDefinition(ctx, &logsapi.PutQueryDefinitionRequest{QueryDefinitionId: &missing, Name: protocol.Ptr("n"), QueryString: protocol.Ptr("q")}); code(err) != "ResourceNotFoundException" {
		t.Errorf("updating a missing definition: %v", err)
	}
	del, err := s.DeleteQueryDefinition(ctx, &logsapi.DeleteQueryDefinitionRequest{QueryDefinitionId: &sqlID})
	if err != nil || !protocol.Val(del.Success) {
		t.Fatalf("delete: %v %+v", err, del)
	}
	if _, err := s.DeleteQueryDefinition(ctx, &logsapi.DeleteQueryDefinitionRequest{QueryDefinitionId: &sqlID}); code(err) != "ResourceNotFoundException" {
		t.Errorf("deleting twice: %v", err)
	}
	other := regionCtx("eu-west-1")
	if out, err := s.DescribeQueryDefinitions(other, &logsapi.DescribeQueryDefinitionsRequest{}); err != nil || len(out.QueryDefinitions) != 0 {
		t.Errorf("another region: %v %+v", err, out)
	}
}
