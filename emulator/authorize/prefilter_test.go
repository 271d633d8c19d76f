package authorize

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/authz"
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
