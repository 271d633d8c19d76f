package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/emulator/config"
)

// decisionsCommand runs `iamlocal decisions [-follow] [-principal ARN] [-denied]`: it reads a
// running server's decision log and prints each decision on a line a person can read.
func decisionsCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("iamlocal decisions", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", firstSet(getenv("AWS_ENDPOINT_URL"), "http://"+config.DefaultAddr), "the server (AWS_ENDPOINT_URL)")
	token := fs.String("admin-token", getenv("IAMLOCAL_ADMIN_TOKEN"), "admin token of a server beyond loopback (IAMLOCAL_ADMIN_TOKEN)")
	follow := fs.Bool("follow", false, "keep printing decisions as they are made")
	principal := fs.String("principal", "", "only decisions about this principal ARN")
	denied := fs.Bool("denied", false, "only denials")
	if err := fs.Parse(args); err != nil {
		return err
	}
	keep := func(d authorize.Decision) bool {
		return (*principal == "" || d.Principal == *principal) && (!*denied || d.Decision != "Allow")
	}
	url := strings.TrimSuffix(*endpoint, "/") + "/_iamlocal/decisions"
	if *follow {
		url += "?follow=true"
	}
	resp, err := adminRequest(ctx, http.MethodGet, url, *token, "", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if !*follow {
		var log struct{ Decisions []authorize.Decision }
		if err := json.NewDecoder(resp.Body).Decode(&log); err != nil {
			return err
		}
		for _, d := range log.Decisions {
			if keep(d) {
				fmt.Fprintln(stdout, decisionLine(d))
			}
		}
		return nil
	}
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for lines.Scan() {
		var d authorize.Decision
		if err := json.Unmarshal(lines.Bytes(), &d); err != nil {
			return err
		}
		if keep(d) {
			fmt.Fprintln(stdout, decisionLine(d))
		}
	}
	if err := lines.Err(); err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
		return err
	}
	return nil
}

// decisionLine renders a decision: time, outcome, principal, action, resource, and for a denial
// the policy type that decided and AWS's message; for an allow the statement that allowed.
func decisionLine(d authorize.Decision) string {
	outcome := "ALLOW"
	switch d.Decision {
	case "ExplicitDeny":
		outcome = "DENY (explicit)"
	case "ImplicitDeny":
		outcome = "DENY"
	}
	line := fmt.Sprintf("%s %-15s %s %s on %s", d.Time.UTC().Format("2006-01-02T15:04:05Z"), outcome, d.Principal, d.Action, d.Resource)
	if d.Decision == "Allow" {
		for _, m := range d.Matched {
			if m.Effect == "Allow" {
				line += fmt.Sprintf("  [%s %s statement %d%s]", m.Type, m.Policy, m.Index, sidText(m.Sid))
				break
			}
		}
		for _, f := range d.PolicyFindings {
			line += "\n    stored policy: " + f
		}
		return line
	}
	if d.DecidedBy != "" {
		line += "  [decided by " + d.DecidedBy + " policies]"
	}
	if d.Message != "" {
		line += "\n    " + d.Message
	}
	return line
}

func sidText(sid string) string {
	if sid == "" {
		return ""
	}
	return " " + sid
}

func firstSet(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
