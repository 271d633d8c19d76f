// Package accessanalyzer is IAM Access Analyzer's policy checks: ValidatePolicy runs the lint
// package's checks (AWS's issue codes, texts and locations), and CheckAccessNotGranted,
// CheckNoNewAccess and CheckNoPublicAccess ask iamlocal's own policy engine (authz) about the
// requests a policy could allow. It keeps no state; the analyzer, finding and archive-rule
// operations answer NotImplemented.
package accessanalyzer

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/iamlocal/iamlocal/api/accessanalyzerapi"
	"github.com/iamlocal/iamlocal/lint"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// Service implements accessanalyzerapi.Handler.
type Service struct {
	accessanalyzerapi.Unimplemented
}

var _ accessanalyzerapi.Handler = (*Service)(nil)

// New returns the service.
func New() *Service { return &Service{} }

// validationError is Access Analyzer's ValidationException, whose reason is required
// (unknownOperation, cannotParse, fieldValidationFailed, other, notSupported).
func validationError(reason, format string, args ...any) *awserr.Error {
	e := accessanalyzerapi.ErrValidation(format, args...)
	e.Fields = map[string]any{"reason": reason}
	return e
}

// ValidatePolicy returns the findings of AWS's checks; iamlocal's own checks are left out,
// so a pipeline sees here what it sees on AWS.
func (s *Service) ValidatePolicy(_ context.Context, in *accessanalyzerapi.ValidatePolicyRequest) (*accessanalyzerapi.ValidatePolicyResponse, error) {
	opts := lint.Options{Type: lint.PolicyType(protocol.Val(in.PolicyType)), ResourceType: protocol.Val(in.ValidatePolicyResourceType)}
	// A resource type names what a resource policy is attached to ("An error occurred
	// (ValidationException) when calling the ValidatePolicy operation: InvalidInput" for an
	// S3 bucket's type with IDENTITY_POLICY, awslabs/terraform-iam-policy-validator#23).
	if opts.ResourceType != "" && opts.Type != lint.ResourcePolicy {
		return nil, validationError("other", "InvalidInput")
	}
	var findings []accessanalyzerapi.ValidatePolicyFinding
	for _, f := range lint.Check(protocol.Val(in.PolicyDocument), opts) {
		if f.AWS {
			findings = append(findings, wireFinding(f))
		}
	}
	start, err := pageStart(in.NextToken, len(findings))
	if err != nil {
		return nil, err
	}
	end := len(findings)
	if n := protocol.Val(in.MaxResults); n > 0 && start+int(n) < end {
		end = start + int(n)
	}
	out := &accessanalyzerapi.ValidatePolicyResponse{Findings: append([]accessanalyzerapi.ValidatePolicyFinding{}, findings[start:end]...)}
	if end < len(findings) {
		out.NextToken = protocol.Ptr(pageToken(end))
	}
	return out, nil
}

// A page token is the index of the page's first finding, opaque to clients.
func pageToken(start int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("findings:" + strconv.Itoa(start)))
}

func pageStart(token *string, total int) (int, error) {
	if token == nil {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*token)
	rest, ok := strings.CutPrefix(string(raw), "findings:")
	n, convErr := strconv.Atoi(rest)
	if err != nil || !ok || convErr != nil || n < 0 || n > total {
		return 0, validationError("other", "Invalid nextToken")
	}
	return n, nil
}

func wireFinding(f lint.Finding) accessanalyzerapi.ValidatePolicyFinding {
	out := accessanalyzerapi.ValidatePolicyFinding{FindingDetails: protocol.Ptr(f.Details), FindingType: protocol.Ptr(string(f.Type)),
		IssueCode: protocol.Ptr(f.IssueCode), LearnMoreLink: protocol.Ptr(f.LearnMoreLink), Locations: []accessanalyzerapi.Location{}}
	for _, l := range f.Locations {
		loc := accessanalyzerapi.Location{Path: []accessanalyzerapi.PathElement{},
			Span: &accessanalyzerapi.Span{Start: wirePosition(l.Span.Start), End: wirePosition(l.Span.End)}}
		for _, p := range l.Path {
			var e accessanalyzerapi.PathElement
			switch {
			case p.Index != nil:
				e.Index = protocol.Ptr(int32(*p.Index))
			case p.Key != "":
				e.Key = protocol.Ptr(p.Key)
			default:
				e.Value = protocol.Ptr(p.Value)
			}
			loc.Path = append(loc.Path, e)
		}
		out.Locations = append(out.Locations, loc)
	}
	return out
}

func wirePosition(p lint.Position) *accessanalyzerapi.Position {
	return &accessanalyzerapi.Position{Line: protocol.Ptr(int32(p.Line)), Column: protocol.Ptr(int32(p.Column)), Offset: protocol.Ptr(int32(p.Offset))}
}
