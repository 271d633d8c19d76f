package cloudwatch

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

const widgetBody = `{"widgets":[{"type":"metric","properties":{"metrics":[["AWS/Lambda","Errors"]],"region":"us-east-1"}}]}`

// PutDashboard refuses bodies that are not a JSON object with a widgets array, as AWS's
// DashboardInvalidInputError (InvalidParameterInput) with its validation messages.
func TestPutDashboardValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, dashboard, body string
		wantCode, wantPath    string
		wantMessage           string
	}{
		{"valid", "ops", widgetBody, "", "", ""},
		{"not JSON", "ops", `{"widgets":`, "InvalidParameterInput", "", "Should be object"},
		{"an array", "ops", `[]`, "InvalidParameterInput", "", "Should be object"},
		{"no widgets", "ops", `{}`, "InvalidParameterInput", "", "Should have required property 'widgets'"},
		{"widgets not an array", "ops", `{"widgets":{}}`, "InvalidParameterInput", "/widgets", "Should be array"},
		{"bad name", "ops board", widgetBody, "InvalidParameterInput", "", ""},
		{"name too long", strings.Repeat("a", 256), widgetBody, "InvalidParameterInput", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ctx := newService(t)
			out, err := s.PutDashboard(ctx, &cloudwatchapi.PutDashboardInput{DashboardName: protocol.Ptr(tt.dashboard), DashboardBody: protocol.Ptr(tt.body)})
			if got := code(err); got != tt.wantCode {
				t.Fatalf("code %q, want %q (%v)", got, tt.wantCode, err)
			}
			if err == nil {
				if out.DashboardValidationMessages == nil {
					t.Error("DashboardValidationMessages is nil, want an empty list")
				}
				return
			}
			if tt.wantMessage == "" {
				return
			}
			var e *awserr.Error
			errors.As(err, &e)
			msgs, _ := e.Fields["DashboardValidationMessages"].([]any)
			if len(msgs) != 1 || msgs[0].(map[string]any)["Message"] != tt.wantMessage || msgs[0].(map[string]any)["DataPath"] != tt.wantPath {
				t.Errorf("validation messages %v", e.Fields)
			}
			want := fmt.Sprintf("The dashboard body is invalid, there are 1 validation errors:\n[\n  {\n    \"dataPath\": %q,\n    \"message\": %q\n  }\n]", tt.wantPath, tt.wantMessage)
			if e.Message != want {
				t.Errorf("message %q, want %q", e.Message, want)
			}
		})
	}
}

// Dashboards are global: one put in us-east-1 is read, listed and deleted from eu-west-1, with
// an ARN that names no Region; ListDashboards pages by prefix; DeleteDashboards is all or
// nothing.
func TestDashboardsAreGlobal(t *testing.T) {
	t.Parallel()
	s, _ := newService(t)
	east, west := regionCtx("us-east-1"), regionCtx("eu-west-1")
	for _, n := range []string{"ops", "ops-2", "other"} {
		if _, err := s.PutDashboard(east, &cloudwatchapi.PutDashboardInput{DashboardName: protocol.Ptr(n), DashboardBody: protocol.Ptr(widgetBody),
			Tags: []cloudwatchapi.Tag{tag("team", "a")}}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetDashboard(west, &cloudwatchapi.GetDashboardInput{DashboardName: protocol.Ptr("ops")})
	if err != nil {
		t.Fatal(err)
	}
	if protocol.Val(got.DashboardBody) != widgetBody || protocol.Val(got.DashboardArn) != "arn:aws:cloudwatch::123456789012:dashboard/ops" {
		t.Errorf("GetDashboard: %+v", got)
	}
	list, err := s.ListDashboards(west, &cloudwatchapi.ListDashboardsInput{DashboardNamePrefix: protocol.Ptr("ops")})
	if err != nil || len(list.DashboardEntries) != 2 || protocol.Val(list.DashboardEntries[0].Size) != int64(len(widgetBody)) || list.NextToken != nil {
		t.Fatalf("ListDashboards: %+v %v", list, err)
	}
	tags, err := s.ListTagsForResource(west, &cloudwatchapi.ListTagsForResourceInput{ResourceARN: list.DashboardEntries[0].DashboardArn})
	if err != nil || len(tags.Tags) != 1 {
		t.Fatalf("dashboard tags: %+v %v", tags, err)
	}
	if _, err := s.DeleteDashboards(west, &cloudwatchapi.DeleteDashboardsInput{DashboardNames: []string{"ops", "absent"}}); code(err) != "ResourceNotFound" {
		t.Fatalf("delete with a missing name: %v", err)
	}
	if _, err := s.DeleteDashboards(west, &cloudwatchapi.DeleteDashboardsInput{DashboardNames: []string{"ops", "other"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetDashboard(east, &cloudwatchapi.GetDashboardInput{DashboardName: protocol.Ptr("ops")}); code(err) != "ResourceNotFound" {
		t.Errorf("deleted dashboard: %v", err)
	}
}

// ListDashboards pages at 1000 entries; the token resumes where the page stopped.
func TestListDashboardsPages(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	for i := range dashboardPage + 1 {
		if _, err := s.PutDashboard(ctx, &cloudwatchapi.PutDashboardInput{DashboardName: protocol.Ptr(fmt.Sprintf("d%04d", i)), DashboardBody: protocol.Ptr(`{"widgets":[]}`)}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := s.ListDashboards(ctx, &cloudwatchapi.ListDashboardsInput{})
	if err != nil || len(first.DashboardEntries) != dashboardPage || first.NextToken == nil {
		t.Fatalf("first page: %d entries, %v", len(first.DashboardEntries), err)
	}
	second, err := s.ListDashboards(ctx, &cloudwatchapi.ListDashboardsInput{NextToken: first.NextToken})
	if err != nil || len(second.DashboardEntries) != 1 || protocol.Val(second.DashboardEntries[0].DashboardName) != "d1000" || second.NextToken != nil {
		t.Fatalf("second page: %+v %v", second, err)
	}
}
