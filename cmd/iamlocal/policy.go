package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/iamlocal/iamlocal/lint"
)

// Exit statuses of `iamlocal policy lint`, for CI: findings of a blocking type fail the run.
const (
	lintClean    = 0 // no finding of a blocking type
	lintBlocking = 1 // a finding of a blocking type
	lintUsage    = 2 // bad flags, or a file that cannot be read
)

// policyCommand runs `iamlocal policy lint` and `iamlocal policy suggest`. They read stdin and
// have exit statuses of their own, so main runs them before the server's run.
func policyCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "suggest" {
		return suggestCommand(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "lint" {
		fmt.Fprintln(stderr, "usage: iamlocal policy lint [-type identity|resource|trust|scp|rcp] [-fail-on ERROR,SECURITY_WARNING] [-format text|json] [-aws-only] FILE|- ...")
		fmt.Fprintln(stderr, "       iamlocal policy suggest -principal ARN [-since RFC3339|DURATION] [-endpoint URL]")
		return lintUsage
	}
	return lintCommand(args[1:], stdin, stdout, stderr)
}

// lintCommand runs `iamlocal policy lint [flags] FILE|- ...`: each policy document is checked
// as IAM Access Analyzer's ValidatePolicy checks it (and with iamlocal's own checks), findings
// are printed, and the exit status says whether any is of a blocking type.
func lintCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("iamlocal policy lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	policyType := fs.String("type", "identity", "what the documents are: identity, resource, trust (a role's trust policy), scp, rcp")
	resourceType := fs.String("resource-type", "", "for -type resource, what the policy is attached to (ValidatePolicy's validatePolicyResourceType, e.g. AWS::S3::Bucket)")
	failOn := fs.String("fail-on", "ERROR,SECURITY_WARNING", "finding types that fail the run (exit status 1), comma-separated; empty for none")
	format := fs.String("format", "text", "text, or json (ValidatePolicy's findings)")
	awsOnly := fs.Bool("aws-only", false, "only the checks IAM Access Analyzer's ValidatePolicy makes, leaving out iamlocal's own")
	if err := fs.Parse(args); err != nil {
		return lintUsage
	}
	opts, ok := lint.ParsePolicyType(*policyType)
	blocking, typesOK := lint.ParseFindingTypes(*failOn)
	switch {
	case !ok:
		fmt.Fprintf(stderr, "iamlocal policy lint: -type %q: want identity, resource, trust, scp or rcp\n", *policyType)
		return lintUsage
	case !typesOK:
		fmt.Fprintf(stderr, "iamlocal policy lint: -fail-on %q: want finding types among ERROR, SECURITY_WARNING, WARNING, SUGGESTION\n", *failOn)
		return lintUsage
	case *format != "text" && *format != "json":
		fmt.Fprintf(stderr, "iamlocal policy lint: -format %q: want text or json\n", *format)
		return lintUsage
	case fs.NArg() == 0:
		fmt.Fprintln(stderr, "iamlocal policy lint: name the policy files to check, or - for standard input")
		return lintUsage
	}
	if *resourceType != "" {
		opts.ResourceType = *resourceType
	}
	status, blocked := lintClean, 0
	for _, name := range fs.Args() {
		doc, err := readPolicyFile(name, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "iamlocal policy lint: %v\n", err)
			status = lintUsage
			continue
		}
		findings := lintFindings(doc, opts, *awsOnly)
		if err := printFindings(stdout, name, findings, *format, fs.NArg() > 1); err != nil {
			fmt.Fprintf(stderr, "iamlocal policy lint: %v\n", err)
			return lintUsage
		}
		blocked += len(lint.Blocking(findings, blocking))
	}
	if blocked > 0 && status == lintClean {
		fmt.Fprintf(stderr, "iamlocal policy lint: %d finding(s) of a blocking type (%s)\n", blocked, *failOn)
		status = lintBlocking
	}
	return status
}

func readPolicyFile(name string, stdin io.Reader) (string, error) {
	if name == "-" {
		b, err := io.ReadAll(stdin)
		return string(b), err
	}
	b, err := os.ReadFile(name)
	return string(b), err
}

func lintFindings(doc string, opts lint.Options, awsOnly bool) []lint.Finding {
	findings := []lint.Finding{}
	for _, f := range lint.Check(doc, opts) {
		if f.AWS || !awsOnly {
			findings = append(findings, f)
		}
	}
	return findings
}

// printFindings prints one file's findings: as file:line:column lines, or as ValidatePolicy's
// {"findings": [...]} (with the file's name when several are checked, one object a line).
func printFindings(w io.Writer, name string, findings []lint.Finding, format string, several bool) error {
	if format == "json" {
		out := struct {
			File     string         `json:"file,omitempty"`
			Findings []lint.Finding `json:"findings"`
		}{Findings: findings}
		if several {
			out.File = name
		}
		enc := json.NewEncoder(w)
		if !several {
			enc.SetIndent("", "    ")
		}
		return enc.Encode(out)
	}
	for _, f := range findings {
		start := f.Locations[0].Span.Start
		where := fmt.Sprintf("%s:%d:%d", name, start.Line, start.Column+1) // editors count columns from 1
		if _, err := fmt.Fprintf(w, "%s: %s %s: %s\n    %s\n", where, f.Type, f.IssueCode, f.Details, f.LearnMoreLink); err != nil {
			return err
		}
	}
	return nil
}
