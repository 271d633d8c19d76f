package authorize

import (
	"testing"
	"time"
)

func TestSuggest(t *testing.T) {
	t.Parallel()
	fn := func(name string) string { return "arn:aws:lambda:us-east-1:123456789012:function:" + name }
	calls := []Call{
		{Action: "lambda:CreateFunction", Resource: fn("a")},
		{Action: "lambda:GetFunction", Resource: fn("a")},
		{Action: "lambda:InvokeFunction", Resource: fn("a")},
		{Action: "lambda:InvokeFunction", Resource: fn("b")},
		{Action: "lambda:ListFunctions", Resource: "*"},
		{Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/exec", Keys: map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}},
		{Action: "logs:GetLogEvents", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/a:log-stream:1"},
		{Action: "logs:GetLogEvents", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/a:log-stream:2"},
		{Action: "logs:GetLogEvents", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/a:log-stream:3"},
		{Action: "logs:GetLogEvents", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/a:log-stream:4"},
	}
	want := `{
  "Statement": [
    {
      "Action": "iam:PassRole",
      "Condition": {
        "StringEquals": {
          "iam:PassedToService": [
            "lambda.amazonaws.com"
          ]
        }
      },
      "Effect": "Allow",
      "Resource": "arn:aws:iam::123456789012:role/exec",
      "Sid": "AllowIam1"
    },
    {
      "Action": [
        "lambda:CreateFunction",
        "lambda:GetFunction"
      ],
      "Effect": "Allow",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:a",
      "Sid": "AllowLambda1"
    },
    {
      "Action": "lambda:InvokeFunction",
      "Effect": "Allow",
      "Resource": [
        "arn:aws:lambda:us-east-1:123456789012:function:a",
        "arn:aws:lambda:us-east-1:123456789012:function:b"
      ],
      "Sid": "AllowLambda2"
    },
    {
      "Action": "lambda:ListFunctions",
      "Effect": "Allow",
      "Resource": "*",
      "Sid": "AllowLambda3"
    },
    {
      "Action": "logs:GetLogEvents",
      "Effect": "Allow",
      "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/a:log-stream:*",
      "Sid": "AllowLogs1"
    }
  ],
  "Version": "2012-10-17"
}`
	if got := string(Suggest(calls)); got != want {
		t.Errorf("Suggest:\n%s", got)
	}
	if got := string(Suggest(nil)); got != "{\n  \"Statement\": [],\n  \"Version\": \"2012-10-17\"\n}" {
		t.Errorf("no calls: %s", got)
	}
}

// Usage keeps a principal's distinct calls, under the caller and a session's role, newer than
// since, with the narrowing keys' values.
func TestUsageCalls(t *testing.T) {
	t.Parallel()
	var u Usage
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pass := check{action: "iam:PassRole", resource: "arn:aws:iam::1:role/r", ctx: map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}, "iam:AssociatedResourceArn": {"x"}}}
	u.note([]string{"sess", "role"}, pass, t0)
	u.note([]string{"sess", "role"}, pass, t0.Add(time.Hour))
	u.note([]string{"sess", "role"}, check{action: "lambda:GetFunction", resource: "f"}, t0)
	got := u.Calls("role", t0.Add(time.Minute))
	if len(got) != 1 || got[0].Action != "iam:PassRole" || len(got[0].Keys) != 1 || got[0].Keys["iam:PassedToService"][0] != "lambda.amazonaws.com" {
		t.Errorf("calls since: %+v", got)
	}
	if got := u.Calls("sess", time.Time{}); len(got) != 2 {
		t.Errorf("session calls: %+v", got)
	}
	u.Clear()
	if got := u.Calls("role", time.Time{}); len(got) != 0 {
		t.Errorf("after Clear: %+v", got)
	}
}
