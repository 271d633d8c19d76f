package authorize

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

func TestMayMatchService(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc     string
		service string
		want    bool
	}{
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, "iam", true},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "iam", false},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*","IAM:Get*"],"Resource":"*"}}`, "iam", true},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:List*","Resource":"*"}}`, "lambda", false},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}}`, "iam", true},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"lambda:*","Resource":"*"}}`, "sts", false},
	}
	for _, tt := range tests {
		p, err := authz.Parse(tt.doc, authz.KindIdentity)
		if err != nil {
			t.Fatal(err)
		}
		if got := mayMatchService(p, tt.service); got != tt.want {
			t.Errorf("mayMatchService(%s, %s) = %v, want %v", tt.doc, tt.service, got, tt.want)
		}
	}
}

// Pre-filtering changes no decision: for random mixes of policies and actions the filtered and
// unfiltered sets decide alike.
func TestForServiceKeepsDecisions(t *testing.T) {
	t.Parallel()
	actions := []string{"iam:GetUser", "iam:ListRoles", "lambda:InvokeFunction", "sts:AssumeRole", "s3:GetObject"}
	docs := []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"lambda:*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
	}
	var named []authz.Named
	for i, d := range docs {
		p, err := authz.Parse(d, authz.KindIdentity)
		if err != nil {
			t.Fatal(err)
		}
		named = append(named, authz.Named{Name: fmt.Sprint(i), Policy: p})
	}
	for mask := 0; mask < 1<<len(named); mask++ {
		var set authz.PolicySet
		for i := range named {
			if mask&(1<<i) != 0 {
				set.Identity = append(set.Identity, named[i])
			}
		}
		for _, a := range actions {
			req := authz.Request{Principal: authz.Principal{ARN: "arn:aws:iam::1:user/u", Account: "1"}, Action: a, Resource: "*"}
			svc := strings.SplitN(a, ":", 2)[0]
			full, filtered := authz.Evaluate(req, set), authz.Evaluate(req, forService(set, svc))
			if full.Decision != filtered.Decision || full.DecidedBy != filtered.DecidedBy || len(full.Matched) != len(filtered.Matched) {
				t.Errorf("mask %b %s: full %+v, filtered %+v", mask, a, full, filtered)
			}
		}
	}
}

func TestDecisionLogRingAndFollow(t *testing.T) {
	t.Parallel()
	l := NewDecisionLog(3)
	for i := 0; i < 5; i++ {
		l.Add(Decision{RequestID: fmt.Sprint(i)})
	}
	got := l.Snapshot()
	if len(got) != 3 || got[0].RequestID != "2" || got[2].RequestID != "4" {
		t.Fatalf("Snapshot = %+v", got)
	}
	srv := httptest.NewServer(l)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "?follow=true")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// The follower is registered once headers arrive; decisions added afterwards stream.
	done := make(chan Decision, 1)
	go func() {
		var d Decision
		if err := json.NewDecoder(resp.Body).Decode(&d); err == nil {
			done <- d
		}
	}()
	deadline := time.After(10 * time.Second)
	for {
		l.Add(Decision{RequestID: "live"})
		select {
		case d := <-done:
			if d.RequestID != "live" {
				t.Fatalf("streamed %+v", d)
			}
			l.Clear()
			if len(l.Snapshot()) != 0 {
				t.Fatal("Clear kept decisions")
			}
			return
		case <-deadline:
			t.Fatal("no decision streamed")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// The caller's policies are pre-filtered for every prefix the server declares, Logs and
// CloudWatch included, so their decisions scan only the policies that can name their actions.
func TestPrincipalPrefiltersDeclaredPrefixes(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	allow := func(action string) string {
		return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"` + action + `","Resource":"*"}}`
	}
	if err := db.Update("123456789012", func(tx *storage.Tx) error {
		return errors.Join(storage.Users(tx).Put("ann", storage.UserRecord{Name: "ann", Path: "/"}),
			storage.InlinePolicies(tx).Put(storage.Join(storage.KindUser, "ann", "logs"), storage.InlinePolicyRecord{Name: "logs", Document: allow("logs:*")}),
			storage.InlinePolicies(tx).Put(storage.Join(storage.KindUser, "ann", "s3"), storage.InlinePolicyRecord{Name: "s3", Document: allow("s3:*")}))
	}); err != nil {
		t.Fatal(err)
	}
	a := New(Options{DB: db, Prefixes: []string{"iam", "logs", "cloudwatch"}})
	caller := reqctx.Caller{Type: reqctx.User, Account: "123456789012", UserName: "ann", ARN: "arn:aws:iam::123456789012:user/ann"}
	var p *principalPolicies
	if err := db.View("123456789012", func(tx *storage.Tx) (err error) { p, err = a.principal(tx, caller); return err }); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		action string
		want   int // identity policies left for the action's service
	}{{"logs:PutLogEvents", 1}, {"cloudwatch:PutMetricData", 0}, {"iam:GetUser", 0}, {"s3:GetObject", 2}}
	for _, tt := range tests {
		if got := len(p.setFor(tt.action).Identity); got != tt.want {
			t.Errorf("%s: %d identity policies, want %d", tt.action, got, tt.want)
		}
	}
}
