package logs

import (
	"context"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
)

func mustGroups(t *testing.T, s *Service, ctx context.Context, groups map[string]*logsapi.CreateLogGroupRequest) {
	t.Helper()
	for name, in := range groups {
		in.LogGroupName = protocol.Ptr(name)
		if _, err := s.CreateLogGroup(ctx, in); err != nil {
			t.Fatal(name, err)
		}
	}
}

func names[T any](items []T, name func(T) *string) string {
	var out []string
	for _, it := range items {
		out = append(out, protocol.Val(name(it)))
	}
	return strings.Join(out, ",")
}

// ListLogGroups' filters ("ListLogGroups", API Reference): the pattern's alternatives (^ a
// prefix, otherwise a substring, case-sensitive), the class, tags, and the filters on data
// iamlocal does not keep; summaries hold name, ARN and class; pages by nextToken.
func TestListLogGroups(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	mustGroups(t, s, ctx, map[string]*logsapi.CreateLogGroupRequest{
		"/aws/lambda/fn":    {Tags: map[string]string{"team": "a"}},
		"/aws/lambda/other": {Tags: map[string]string{"team": "b"}},
		"discovery-logs":    {LogGroupClass: protocol.Ptr("INFREQUENT_ACCESS")},
		"app/Discovery":     {},
	})
	summary := func(g logsapi.LogGroupSummary) *string { return g.LogGroupName }
	for _, tc := range []struct {
		name string
		in   logsapi.ListLogGroupsRequest
		want string
	}{
		{"all, in name order", logsapi.ListLogGroupsRequest{}, "/aws/lambda/fn,/aws/lambda/other,app/Discovery,discovery-logs"},
		{"the API Reference's example", logsapi.ListLogGroupsRequest{LogGroupNamePattern: protocol.Ptr("^/aws/lambda|discovery")},
			"/aws/lambda/fn,/aws/lambda/other,discovery-logs"},
		{"a prefix only at the start", logsapi.ListLogGroupsRequest{LogGroupNamePattern: protocol.Ptr("^lambda")}, ""},
		{"a substring, case-sensitive", logsapi.ListLogGroupsRequest{LogGroupNamePattern: protocol.Ptr("Disc")}, "app/Discovery"},
		{"class", logsapi.ListLogGroupsRequest{LogGroupClass: protocol.Ptr("INFREQUENT_ACCESS")}, "discovery-logs"},
		{"tag key and value", logsapi.ListLogGroupsRequest{LogGroupTags: []logsapi.TagFilter{{Key: protocol.Ptr("team"), Values: []string{"b", "c"}}}},
			"/aws/lambda/other"},
		{"tag key alone", logsapi.ListLogGroupsRequest{LogGroupTags: []logsapi.TagFilter{{Key: protocol.Ptr("team")}}},
			"/aws/lambda/fn,/aws/lambda/other"},
		{"own account", logsapi.ListLogGroupsRequest{AccountIdentifiers: []string{"123456789012"}, IncludeLinkedAccounts: protocol.Ptr(true),
			LogGroupNamePattern: protocol.Ptr("fn")}, "/aws/lambda/fn"},
		{"another account: no linked accounts", logsapi.ListLogGroupsRequest{AccountIdentifiers: []string{"210987654321"}, IncludeLinkedAccounts: protocol.Ptr(true)}, ""},
		{"data sources are not kept", logsapi.ListLogGroupsRequest{DataSources: []logsapi.DataSourceFilter{{Name: protocol.Ptr("aws_cloudtrail")}}}, ""},
		{"field indexes are not kept", logsapi.ListLogGroupsRequest{FieldIndexNames: []string{"requestId"}}, ""},
	} {
		out, err := s.ListLogGroups(ctx, &tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := names(out.LogGroups, summary); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	out, err := s.ListLogGroups(ctx, &logsapi.ListLogGroupsRequest{LogGroupNamePattern: protocol.Ptr("other")})
	if err != nil || len(out.LogGroups) != 1 {
		t.Fatal(err, out)
	}
	g := out.LogGroups[0]
	if protocol.Val(g.LogGroupArn) != "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/other" || protocol.Val(g.LogGroupClass) != "STANDARD" {
		t.Errorf("summary: %s %s", protocol.Val(g.LogGroupArn), protocol.Val(g.LogGroupClass))
	}
	var pages []string
	in := &logsapi.ListLogGroupsRequest{Limit: protocol.Ptr(int32(3))}
	for range 5 {
		page, err := s.ListLogGroups(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, names(page.LogGroups, summary))
		if in.NextToken = page.NextToken; in.NextToken == nil {
			break
		}
	}
	if strings.Join(pages, " | ") != "/aws/lambda/fn,/aws/lambda/other,app/Discovery | discovery-logs" {
		t.Errorf("pages: %q", pages)
	}
}

// DescribeLogGroups' logGroupNamePattern is a case-sensitive substring, and a group listed by
// it holds only its arn, creationTime and logGroupName (API Reference; aws/aws-sdk#608).
func TestDescribeLogGroupsByPattern(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	mustGroups(t, s, ctx, map[string]*logsapi.CreateLogGroupRequest{"GroupDataLogs": {}, "datalogs": {}, "aws/DataLogs": {}})
	if _, err := s.PutRetentionPolicy(ctx, &logsapi.PutRetentionPolicyRequest{LogGroupName: protocol.Ptr("aws/DataLogs"), RetentionInDays: protocol.Ptr(int32(14))}); err != nil {
		t.Fatal(err)
	}
	out, err := s.DescribeLogGroups(ctx, &logsapi.DescribeLogGroupsRequest{LogGroupNamePattern: protocol.Ptr("DataLogs")})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(out.LogGroups, func(g logsapi.LogGroup) *string { return g.LogGroupName }); got != "GroupDataLogs,aws/DataLogs" {
		t.Fatalf("matched %q", got)
	}
	g := out.LogGroups[1]
	if g.Arn == nil || g.CreationTime == nil || g.RetentionInDays != nil || g.MetricFilterCount != nil || g.LogGroupArn != nil ||
		g.StoredBytes != nil || g.LogGroupClass != nil {
		t.Errorf("a group listed by pattern: %+v", g)
	}
	full, err := s.DescribeLogGroups(ctx, &logsapi.DescribeLogGroupsRequest{LogGroupNamePrefix: protocol.Ptr("aws/")})
	if err != nil || len(full.LogGroups) != 1 || protocol.Val(full.LogGroups[0].RetentionInDays) != 14 {
		t.Errorf("by prefix, the whole group: %v %+v", err, full)
	}
}

// A protected group refuses DeleteLogGroup with the User Guide's ValidationException until its
// protection is turned off ("Protecting log groups from deletion"); describing it says so.
func TestLogGroupDeletionProtection(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	mustGroups(t, s, ctx, map[string]*logsapi.CreateLogGroupRequest{
		"born-protected": {DeletionProtectionEnabled: protocol.Ptr(true)}, "plain": {}})
	protect := func(id string, on bool) error {
		_, err := s.PutLogGroupDeletionProtection(ctx, &logsapi.PutLogGroupDeletionProtectionRequest{
			LogGroupIdentifier: &id, DeletionProtectionEnabled: &on})
		return err
	}
	remove := func(name string) error {
		_, err := s.DeleteLogGroup(ctx, &logsapi.DeleteLogGroupRequest{LogGroupName: &name})
		return err
	}
	if err := protect("arn:aws:logs:us-east-1:123456789012:log-group:plain", true); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"born-protected", "plain"} {
		err := remove(name)
		if code(err) != "ValidationException" || !strings.Contains(err.Error(), "Cannot delete log group with deletion protection enabled. Disable deletion protection first.") {
			t.Errorf("%s: %v", name, err)
		}
	}
	out, err := s.DescribeLogGroups(ctx, &logsapi.DescribeLogGroupsRequest{LogGroupNamePrefix: protocol.Ptr("plain")})
	if err != nil || !protocol.Val(out.LogGroups[0].DeletionProtectionEnabled) {
		t.Errorf("describe: %v %+v", err, out)
	}
	if err := protect("plain", false); err != nil {
		t.Fatal(err)
	}
	if err := remove("plain"); err != nil {
		t.Errorf("after protection is off: %v", err)
	}
	if err := protect("missing", true); code(err) != "ResourceNotFoundException" {
		t.Errorf("missing group: %v", err)
	}
}
