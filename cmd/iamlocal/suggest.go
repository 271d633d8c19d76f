package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/emulator/config"
)

// suggestCommand runs `iamlocal policy suggest -principal ARN [-since T]`: it asks a running
// server for the least-privilege identity policy that covers what the principal did, and prints
// the policy document alone on stdout (ready for `aws iam put-role-policy --policy-document
// file://...`), with how many calls it covers on stderr.
func suggestCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("iamlocal policy suggest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", firstSet(getenv("AWS_ENDPOINT_URL"), "http://"+config.DefaultAddr), "the server (AWS_ENDPOINT_URL)")
	token := fs.String("admin-token", getenv("IAMLOCAL_ADMIN_TOKEN"), "admin token of a server beyond loopback (IAMLOCAL_ADMIN_TOKEN)")
	principal := fs.String("principal", "", "the user, role or role session ARN whose calls the policy covers")
	since := fs.String("since", "", "only calls from this time on: RFC 3339 (2026-01-02T15:04:05Z) or a duration back from now (30m)")
	if err := fs.Parse(args); err != nil {
		return lintUsage
	}
	if *principal == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: iamlocal policy suggest -principal ARN [-since RFC3339|DURATION] [-endpoint URL]")
		return lintUsage
	}
	query := url.Values{"principal": {*principal}}
	if *since != "" {
		t, err := parseSince(*since, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "iamlocal policy suggest: -since %q: %v\n", *since, err)
			return lintUsage
		}
		query.Set("since", t.UTC().Format(time.RFC3339))
	}
	answer, err := fetchSuggestion(ctx, strings.TrimSuffix(*endpoint, "/")+"/_iamlocal/policy/suggest?"+query.Encode(), *token)
	if err != nil {
		fmt.Fprintf(stderr, "iamlocal policy suggest: %v\n", err)
		return lintBlocking
	}
	var doc any
	if err := json.Unmarshal(answer.Policy, &doc); err != nil {
		fmt.Fprintf(stderr, "iamlocal policy suggest: the server's policy: %v\n", err)
		return lintBlocking
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "    ")
	enc.SetEscapeHTML(false) // ARNs and conditions stay readable
	if err := enc.Encode(doc); err != nil {
		fmt.Fprintf(stderr, "iamlocal policy suggest: %v\n", err)
		return lintBlocking
	}
	fmt.Fprintf(stderr, "iamlocal policy suggest: %d allowed call(s) of %s\n", answer.Calls, *principal)
	return lintClean
}

type suggestion struct {
	Calls  int             `json:"calls"`
	Policy json.RawMessage `json:"policy"`
}

func fetchSuggestion(ctx context.Context, endpoint, token string) (suggestion, error) {
	var s suggestion
	resp, err := adminRequest(ctx, http.MethodGet, endpoint, token, "", nil)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(&s)
	return s, err
}

// parseSince reads an RFC 3339 time, or a duration counted back from now.
func parseSince(v string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("want an RFC 3339 time (2026-01-02T15:04:05Z) or a duration (30m)")
	}
	return now.Add(-d), nil
}
