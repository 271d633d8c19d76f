package cloudwatch

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Dashboards (API Reference, PutDashboard, GetDashboard, ListDashboards, DeleteDashboards).
// "All dashboards in your account are global, not region-specific": they are stored per
// account under their names alone, and their ARN, arn:aws:cloudwatch::ACCOUNT:dashboard/NAME,
// names no Region. The body is stored as given and returned byte for byte.

// dashboardPage is ListDashboards' page size ("ListDashboards returns up to 1000 results on one
// page", API Reference, ListDashboards).
const dashboardPage = 1000

// maxDashboardName: "The name can contain only alphanumerics, dash (-), and underscore (_).
// Maximum 255 characters" (API Reference, PutDashboard, DashboardName).
const maxDashboardName = 255

func validDashboardName(name string) bool {
	if name == "" || len(name) > maxDashboardName {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// invalidDashboard is the DashboardInvalidInputError AWS answers for a body that breaks the
// dashboard schema: its message lists the validation messages as indented JSON, and the
// messages travel in DashboardValidationMessages too ("The dashboard body is invalid, there
// are 1 validation errors:\n[\n  {\n    \"dataPath\": ..., \"message\": ...", quoted in
// pulumi/pulumi#13059 and aws-samples/aws-eda-slurm-cluster#116; the messages are the schema
// validator's, "Should have required property 'metrics'", "Should be array").
func invalidDashboard(msgs ...cloudwatchapi.DashboardValidationMessage) error {
	type wireMessage struct {
		DataPath string `json:"dataPath"`
		Message  string `json:"message"`
	}
	listed := make([]wireMessage, 0, len(msgs))
	fields := make([]any, 0, len(msgs))
	for _, m := range msgs {
		listed = append(listed, wireMessage{DataPath: protocol.Val(m.DataPath), Message: protocol.Val(m.Message)})
		fields = append(fields, map[string]any{"DataPath": protocol.Val(m.DataPath), "Message": protocol.Val(m.Message)})
	}
	text, err := json.MarshalIndent(listed, "", "  ")
	if err != nil {
		return err
	}
	e := cloudwatchapi.ErrInvalidParameterInput("The dashboard body is invalid, there are %d validation errors:\n%s", len(msgs), text)
	e.Fields = map[string]any{"DashboardValidationMessages": fields}
	return e
}

func validationMessage(path, message string) cloudwatchapi.DashboardValidationMessage {
	return cloudwatchapi.DashboardValidationMessage{DataPath: protocol.Ptr(path), Message: protocol.Ptr(message)}
}

// checkDashboardBody refuses a body that is not a JSON object or whose widgets are missing or
// not an array, the parts of the schema ("Dashboard Body Structure and Syntax": widgets is
// required, "An array of widget objects") that iamlocal checks; widgets themselves are not
// checked.
func checkDashboardBody(body string) error {
	var top map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(body))
	if err := dec.Decode(&top); err != nil || top == nil || dec.More() {
		return invalidDashboard(validationMessage("", "Should be object"))
	}
	widgets, ok := top["widgets"]
	if !ok {
		return invalidDashboard(validationMessage("", "Should have required property 'widgets'"))
	}
	if trimmed := bytes.TrimSpace(widgets); len(trimmed) == 0 || trimmed[0] != '[' {
		return invalidDashboard(validationMessage("/widgets", "Should be array"))
	}
	return nil
}

// PutDashboard creates or replaces a dashboard. Tags are kept when a dashboard is replaced, as
// for alarms: TagResource and UntagResource change them.
func (s *Service) PutDashboard(ctx context.Context, in *cloudwatchapi.PutDashboardInput) (*cloudwatchapi.PutDashboardOutput, error) {
	c := s.call(ctx)
	name, body := protocol.Val(in.DashboardName), protocol.Val(in.DashboardBody)
	if !validDashboardName(name) {
		return nil, cloudwatchapi.ErrInvalidParameterInput("The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).")
	}
	if err := checkDashboardBody(body); err != nil {
		return nil, err
	}
	rec := storage.DashboardRecord{V: 1, Name: name, Body: body, LastModified: c.now.UTC()}
	for _, t := range in.Tags {
		rec.Tags = append(rec.Tags, storage.Tag{Key: protocol.Val(t.Key), Value: protocol.Val(t.Value)})
	}
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		if old, err := storage.Dashboards(tx).Get(name); err == nil {
			rec.Tags = old.Tags
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		return storage.Dashboards(tx).Put(name, rec)
	})
	if err != nil {
		return nil, err
	}
	return &cloudwatchapi.PutDashboardOutput{DashboardValidationMessages: []cloudwatchapi.DashboardValidationMessage{}}, nil
}

// GetDashboard returns a dashboard's body as it was put.
func (s *Service) GetDashboard(ctx context.Context, in *cloudwatchapi.GetDashboardInput) (*cloudwatchapi.GetDashboardOutput, error) {
	c := s.call(ctx)
	name := protocol.Val(in.DashboardName)
	var rec storage.DashboardRecord
	err := s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		var err error
		rec, err = storage.Dashboards(tx).Get(name)
		if errors.Is(err, storage.ErrNotFound) {
			return cloudwatchapi.ErrDashboardNotFoundError("Dashboard %s does not exist", name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &cloudwatchapi.GetDashboardOutput{DashboardName: protocol.Ptr(rec.Name), DashboardBody: protocol.Ptr(rec.Body),
		DashboardArn: protocol.Ptr(c.scope().Dashboard(rec.Name).String())}, nil
}

// ListDashboards lists dashboards in name order, those whose names begin with
// DashboardNamePrefix when it is given. NextToken is the name the next page starts at.
func (s *Service) ListDashboards(ctx context.Context, in *cloudwatchapi.ListDashboardsInput) (*cloudwatchapi.ListDashboardsOutput, error) {
	c := s.call(ctx)
	prefix := protocol.Val(in.DashboardNamePrefix)
	from := ""
	if tok := protocol.Val(in.NextToken); tok != "" {
		next, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || !strings.HasPrefix(string(next), prefix) {
			return nil, cloudwatchapi.ErrInvalidParameterValue("The value %s for parameter NextToken is invalid.", tok)
		}
		from = strings.TrimPrefix(string(next), prefix)
	}
	var page storage.Page[storage.DashboardRecord]
	err := s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		var err error
		page, err = storage.Dashboards(tx).Page(prefix, from, dashboardPage, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &cloudwatchapi.ListDashboardsOutput{DashboardEntries: []cloudwatchapi.DashboardEntry{}}
	for _, d := range page.Values() {
		out.DashboardEntries = append(out.DashboardEntries, cloudwatchapi.DashboardEntry{DashboardName: protocol.Ptr(d.Name),
			DashboardArn: protocol.Ptr(c.scope().Dashboard(d.Name).String()), LastModified: protocol.Ptr(d.LastModified),
			Size: protocol.Ptr(int64(len(d.Body)))})
	}
	if page.Truncated {
		out.NextToken = protocol.Ptr(base64.RawURLEncoding.EncodeToString([]byte(prefix + page.Next)))
	}
	return out, nil
}

// DeleteDashboards deletes the named dashboards, or none when one of them does not exist
// ("If you specify any dashboards that do not exist, no dashboards are deleted", API Reference,
// DeleteDashboards).
func (s *Service) DeleteDashboards(ctx context.Context, in *cloudwatchapi.DeleteDashboardsInput) (*cloudwatchapi.DeleteDashboardsOutput, error) {
	c := s.call(ctx)
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		var missing []string
		for _, n := range in.DashboardNames {
			if !storage.Dashboards(tx).Has(n) {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			return cloudwatchapi.ErrDashboardNotFoundError("Dashboard(s) [%s] do not exist", strings.Join(missing, ", "))
		}
		for _, n := range in.DashboardNames {
			if err := storage.Dashboards(tx).Delete(n); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("delete dashboard %s: %w", n, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &cloudwatchapi.DeleteDashboardsOutput{}, nil
}
