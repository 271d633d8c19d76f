package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// fixedClock runs a server at a fixed instant, so ingestion windows and times are exact.
func fixedClock(now time.Time) func(*emulator.Options) {
	return func(o *emulator.Options) { o.Clock = func() time.Time { return now } }
}

func mustOK(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// CloudWatch Logs through aws-sdk-go-v2 (awsJson1_1): groups with prefix, pattern and
// pagination; streams; the service's errors.
func TestLogsGroupsAndStreamsGoSDK(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Millisecond)
	srv := emulatortest.New(t, fixedClock(now))
	ctx := context.Background()
	cl := cloudwatchlogs.NewFromConfig(srv.AWSConfig(ctx))
	must := mustOK(t)
	for _, g := range []string{"/aws/lambda/fn", "/aws/lambda/other", "app-logs"} {
		must(cl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}))
	}
	_, err := cl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("app-logs")})
	assertDenied(t, err, "ResourceAlreadyExistsException", "The specified log group already exists")
	_, err = cl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("bad name")})
	assertDenied(t, err, "InvalidParameterException", `1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)

	groups, err := cl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/")})
	if err != nil || len(groups.LogGroups) != 2 || aws.ToString(groups.LogGroups[0].Arn) != "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*" ||
		aws.ToInt64(groups.LogGroups[0].CreationTime) != now.UnixMilli() || aws.ToString(groups.LogGroups[0].LogGroupArn) != "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn" {
		t.Fatalf("prefix: %v %+v", err, groups)
	}
	var names []string
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(cl, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range page.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
		}
	}
	if strings.Join(names, ",") != "/aws/lambda/fn,/aws/lambda/other,app-logs" {
		t.Fatalf("pages: %v", names)
	}
	// A case-sensitive substring, and only arn, creationTime and logGroupName (aws/aws-sdk#608).
	if g, err := cl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("other")}); err != nil ||
		len(g.LogGroups) != 1 || g.LogGroups[0].Arn == nil || g.LogGroups[0].StoredBytes != nil {
		t.Fatalf("pattern: %v %+v", err, g)
	}
	if g, err := cl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("OTHER")}); err != nil || len(g.LogGroups) != 0 {
		t.Fatalf("pattern of another case: %v %+v", err, g)
	}
	// ListLogGroups: alternatives, ^ for a prefix (the API Reference's ^/aws/lambda|discovery).
	lg, err := cl.ListLogGroups(ctx, &cloudwatchlogs.ListLogGroupsInput{LogGroupNamePattern: aws.String("^/aws/lambda|-logs")})
	if err != nil || len(lg.LogGroups) != 3 || aws.ToString(lg.LogGroups[2].LogGroupArn) != "arn:aws:logs:us-east-1:123456789012:log-group:app-logs" ||
		lg.LogGroups[2].LogGroupClass != types.LogGroupClassStandard {
		t.Fatalf("ListLogGroups: %v %+v", err, lg)
	}

	group := aws.String("/aws/lambda/fn")
	for _, s := range []string{"b-stream", "a-stream", "c-stream"} {
		must(cl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: aws.String(s)}))
	}
	_, err = cl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: aws.String("a-stream")})
	assertDenied(t, err, "ResourceAlreadyExistsException", "The specified log stream already exists")
	_, err = cl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("nope"), LogStreamName: aws.String("s")})
	assertDenied(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = cl.DeleteLogStream(ctx, &cloudwatchlogs.DeleteLogStreamInput{LogGroupName: group, LogStreamName: aws.String("zzz")})
	assertDenied(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")

	ms := now.UnixMilli()
	must(cl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: aws.String("c-stream"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(ms - 10), Message: aws.String("x")}}}))
	must(cl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: aws.String("b-stream"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(ms - 20), Message: aws.String("y")}}}))
	streams, err := cl.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: group})
	if err != nil || streamNames(streams.LogStreams) != "a-stream,b-stream,c-stream" {
		t.Fatalf("by name: %v %v", err, streams)
	}
	streams, err = cl.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: group, OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)})
	if err != nil || streamNames(streams.LogStreams) != "c-stream,b-stream,a-stream" || aws.ToInt64(streams.LogStreams[0].LastEventTimestamp) != ms-10 {
		t.Fatalf("by last event time: %v %v", err, streamNames(streams.LogStreams))
	}
	streams, err = cl.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn"), LogStreamNamePrefix: aws.String("b")})
	if err != nil || streamNames(streams.LogStreams) != "b-stream" {
		t.Fatalf("prefix by identifier: %v %v", err, streams)
	}
	_, err = cl.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: group, OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("b")})
	assertCode(t, err, "InvalidParameterException")

	// Retention and tags, by name and by ARN.
	must(cl.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: group, RetentionInDays: aws.Int32(7)}))
	_, err = cl.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: group, RetentionInDays: aws.Int32(8)})
	assertDenied(t, err, "InvalidParameterException", "Value '8' at 'retentionInDays' failed to satisfy constraint")
	g, _ := cl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: group})
	if aws.ToInt32(g.LogGroups[0].RetentionInDays) != 7 {
		t.Fatalf("retention: %+v", g.LogGroups[0])
	}
	must(cl.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: group}))
	must(cl.TagLogGroup(ctx, &cloudwatchlogs.TagLogGroupInput{LogGroupName: group, Tags: map[string]string{"a": "1", "b": "2"}}))
	must(cl.UntagLogGroup(ctx, &cloudwatchlogs.UntagLogGroupInput{LogGroupName: group, Tags: []string{"a"}}))
	arn := aws.String("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn")
	must(cl.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"c": "3"}}))
	must(cl.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"c"}}))
	tags, err := cl.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || fmt.Sprint(tags.Tags) != "map[b:2]" {
		t.Fatalf("tags: %v %v", err, tags)
	}
	old, err := cl.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: group})
	if err != nil || fmt.Sprint(old.Tags) != "map[b:2]" {
		t.Fatalf("tags by name: %v %v", err, old)
	}

	must(cl.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: group}))
	_, err = cl.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: group})
	assertDenied(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = cl.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: aws.String("c-stream")})
	assertCode(t, err, "ResourceNotFoundException")
}

func streamNames(s []types.LogStream) string {
	var out []string
	for _, x := range s {
		out = append(out, aws.ToString(x.LogStreamName))
	}
	return strings.Join(out, ",")
}

func messages(evs []types.OutputLogEvent) string {
	var out []string
	for _, e := range evs {
		out = append(out, aws.ToString(e.Message))
	}
	return strings.Join(out, ",")
}

// PutLogEvents' rules as AWS applies them today, GetLogEvents' two token directions, and
// FilterLogEvents' patterns.
func TestLogsEventsGoSDK(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Millisecond)
	srv := emulatortest.New(t, fixedClock(now))
	ctx := context.Background()
	cl := cloudwatchlogs.NewFromConfig(srv.AWSConfig(ctx))
	must := mustOK(t)
	group, stream := aws.String("app"), aws.String("s1")
	must(cl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group}))
	must(cl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream}))
	must(cl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: aws.String("s2")}))
	ms := now.UnixMilli()
	var events []types.InputLogEvent
	for i := 0; i < 6; i++ {
		level := []string{"INFO", "ERROR", "WARN"}[i%3]
		events = append(events, types.InputLogEvent{Timestamp: aws.Int64(ms - int64(6-i)*1000),
			Message: aws.String(fmt.Sprintf(`{"level":"%s","n":%d,"msg":"request %d done"}`, level, i, i))})
	}
	put, err := cl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream,
		LogEvents: events, SequenceToken: aws.String("49039859613988508176375024235456829998045735898765432")})
	if err != nil || put.RejectedLogEventsInfo != nil || len(aws.ToString(put.NextSequenceToken)) != 56 {
		t.Fatalf("put: %v %+v", err, put)
	}
	must(cl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: aws.String("s2"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(ms - 3500), Message: aws.String("plain ERROR line timeout")}}}))

	// Out of order, and a batch spanning more than 24 hours, fail whole.
	_, err = cl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream,
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(ms), Message: aws.String("b")}, {Timestamp: aws.Int64(ms - 1), Message: aws.String("a")}}})
	assertDenied(t, err, "InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.")
	_, err = cl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream,
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(ms - 25*3600*1000), Message: aws.String("a")}, {Timestamp: aws.Int64(ms), Message: aws.String("b")}}})
	assertDenied(t, err, "InvalidParameterException", "cannot span more than 24 hours")
	// Too old (over 14 days) and too new (over 2 hours ahead) are rejected, the rest kept.
	day := int64(24 * 3600 * 1000)
	put, err = cl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: aws.String("s2"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(ms - 14*day - 3600*1000), Message: aws.String("old")},
			{Timestamp: aws.Int64(ms - 14*day + 3600*1000), Message: aws.String("kept")}}})
	if err != nil || put.RejectedLogEventsInfo == nil || aws.ToInt32(put.RejectedLogEventsInfo.TooOldLogEventEndIndex) != 1 {
		t.Fatalf("too old: %v %+v", err, put)
	}
	put, err = cl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: aws.String("s2"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(ms), Message: aws.String("now")}, {Timestamp: aws.Int64(ms + 3*3600*1000), Message: aws.String("future")}}})
	if err != nil || put.RejectedLogEventsInfo == nil || aws.ToInt32(put.RejectedLogEventsInfo.TooNewLogEventStartIndex) != 1 {
		t.Fatalf("too new: %v %+v", err, put)
	}

	// Newest first without a token; then backward and forward pages of two.
	last, err := cl.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream, Limit: aws.Int32(2)})
	if err != nil || !strings.Contains(messages(last.Events), `"n":4`) || !strings.Contains(messages(last.Events), `"n":5`) ||
		!strings.HasPrefix(aws.ToString(last.NextForwardToken), "f/") || !strings.HasPrefix(aws.ToString(last.NextBackwardToken), "b/") {
		t.Fatalf("tail: %v %+v", err, last)
	}
	back, err := cl.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream, Limit: aws.Int32(2), NextToken: last.NextBackwardToken})
	if err != nil || !strings.Contains(messages(back.Events), `"n":2`) || !strings.Contains(messages(back.Events), `"n":3`) {
		t.Fatalf("backward: %v %s", err, messages(back.Events))
	}
	end, err := cl.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream, NextToken: last.NextForwardToken})
	if err != nil || len(end.Events) != 0 || aws.ToString(end.NextForwardToken) != aws.ToString(last.NextForwardToken) {
		t.Fatalf("end of stream returns the same token: %v %+v", err, end)
	}
	head, err := cl.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream, StartFromHead: aws.Bool(true),
		StartTime: aws.Int64(ms - 5000), EndTime: aws.Int64(ms - 2000)})
	if err != nil || len(head.Events) != 3 || !strings.Contains(aws.ToString(head.Events[0].Message), `"n":1`) {
		t.Fatalf("window: %v %s", err, messages(head.Events))
	}
	// The SDK's paginator stops when the token repeats.
	n, pages := 0, 0
	pg := cloudwatchlogs.NewGetLogEventsPaginator(cl, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream, StartFromHead: aws.Bool(true), Limit: aws.Int32(4)},
		func(o *cloudwatchlogs.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for ; pg.HasMorePages() && pages < 10; pages++ {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Events)
	}
	if n != 6 || pages != 3 {
		t.Fatalf("paginated %d events in %d pages", n, pages)
	}

	for _, tc := range []struct{ pattern, want string }{
		{`ERROR`, "3"},
		{`"request 2 done"`, "1"},
		{`?WARN ?timeout`, "3"},
		{`ERROR -timeout`, "2"},
		{`{ $.level = "ERROR" }`, "2"},
		{`{ $.level = "ERR*" && $.n > 3 }`, "1"},
		{`{ ($.level = "INFO") || ($.n >= 5) }`, "3"},
		{``, "8"},
		// %regex% patterns ("Supported regular expressions (regex) syntax", CloudWatch Logs User Guide).
		{`%request\s[0-4]\sdone%`, "5"}, // a space is not in the guide's list: \s
		{`%ERROR|timeout%`, "3"},
		{`{ $.level = %^[WE]% && $.n > 1 }`, "3"},
	} {
		out, err := cl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, FilterPattern: aws.String(tc.pattern), EndTime: aws.Int64(ms)})
		if err != nil {
			t.Errorf("filter %q: %v", tc.pattern, err)
		} else if fmt.Sprint(len(out.Events)) != tc.want {
			t.Errorf("filter %q: got %d events, want %s", tc.pattern, len(out.Events), tc.want)
		}
	}
	_, err = cl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, FilterPattern: aws.String(`%something!%`)})
	assertDenied(t, err, "InvalidParameterException", "Invalid character(s) in term '!'")
	out, err := cl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, LogStreamNames: []string{"s2"}, FilterPattern: aws.String("ERROR")})
	if err != nil || len(out.Events) != 1 || aws.ToString(out.Events[0].LogStreamName) != "s2" || aws.ToString(out.Events[0].EventId) == "" {
		t.Fatalf("stream names: %v %+v", err, out)
	}
	fp := cloudwatchlogs.NewFilterLogEventsPaginator(cl, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, Limit: aws.Int32(3)})
	n = 0
	for fp.HasMorePages() {
		page, err := fp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Events)
	}
	if n != 9 {
		t.Fatalf("filter pages: %d", n)
	}
}

// boto3 and the AWS CLI v1 (botocore's JSON 1.1 serializer and parser).
func TestLogsBoto3AndCLI(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	key, secret := srv.Root.AccessKeyID, srv.Root.SecretAccessKey
	out := runBoto3(t, srv, key, secret, `
import boto3, time, botocore
logs = boto3.client("logs")
logs.create_log_group(logGroupName="/aws/lambda/py", tags={"k": "v"})
logs.create_log_stream(logGroupName="/aws/lambda/py", logStreamName="s")
now = int(time.time() * 1000)
r = logs.put_log_events(logGroupName="/aws/lambda/py", logStreamName="s",
    logEvents=[{"timestamp": now - 10, "message": "hello"}, {"timestamp": now, "message": "ERROR boom"}])
assert "rejectedLogEventsInfo" not in r, r
ev = logs.get_log_events(logGroupName="/aws/lambda/py", logStreamName="s", startFromHead=True)
print(",".join(e["message"] for e in ev["events"]))
f = logs.filter_log_events(logGroupName="/aws/lambda/py", filterPattern="ERROR")
print(len(f["events"]))
print(logs.list_tags_log_group(logGroupName="/aws/lambda/py")["tags"])
t = logs.test_metric_filter(filterPattern="%^ERR[A-Z]+\\s%", logEventMessages=["ERROR boom", "ok", "xERROR no"])
print([m["eventMessage"] for m in t["matches"]])
logs.put_log_group_deletion_protection(logGroupIdentifier="/aws/lambda/py", deletionProtectionEnabled=True)
try:
    logs.delete_log_group(logGroupName="/aws/lambda/py")
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], e.response["Error"]["Message"])
logs.put_log_group_deletion_protection(logGroupIdentifier="/aws/lambda/py", deletionProtectionEnabled=False)
print([g["logGroupName"] for g in logs.list_log_groups(logGroupNamePattern="^/aws/lambda|nothing")["logGroups"]])
try:
    logs.describe_log_streams(logGroupName="missing")
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"])
`)
	want := "hello,ERROR boom\n1\n{'k': 'v'}\n['ERROR boom']\n" +
		"ValidationException Cannot delete log group with deletion protection enabled. Disable deletion protection first.\n" +
		"['/aws/lambda/py']\nResourceNotFoundException The specified log group does not exist. 400"
	if out != want {
		t.Fatalf("boto3:\n%s\nwant\n%s", out, want)
	}
	if _, stderr, err := runCLI(t, srv, key, secret, "logs", "create-log-group", "--log-group-name", "cli-group"); err != nil {
		t.Fatalf("create-log-group: %v %s", err, stderr)
	}
	stdout, stderr, err := runCLI(t, srv, key, secret, "logs", "describe-log-groups", "--log-group-name-prefix", "cli-")
	if err != nil || !strings.Contains(stdout, `"logGroupName": "cli-group"`) {
		t.Fatalf("describe-log-groups: %v %s %s", err, stdout, stderr)
	}
	_, stderr, err = runCLI(t, srv, key, secret, "logs", "create-log-group", "--log-group-name", "cli-group")
	if err == nil || !strings.Contains(stderr, "An error occurred (ResourceAlreadyExistsException) when calling the CreateLogGroup operation: The specified log group already exists") {
		t.Fatalf("duplicate: %v %s", err, stderr)
	}
	_, stderr, err = runCLI(t, srv, key, "wrong", "logs", "describe-log-groups")
	if err == nil || !strings.Contains(stderr, "InvalidSignatureException") {
		t.Fatalf("bad signature: %v %s", err, stderr)
	}
}

// Saved Logs Insights queries through aws-sdk-go-v2, which fills the clientToken itself: two
// puts are two definitions, an update by id replaces one, a delete answers success.
func TestLogsQueryDefinitionsGoSDK(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	cl := cloudwatchlogs.NewFromConfig(srv.AWSConfig(ctx))
	var ids []string
	for _, name := range []string{"errors", "latency"} {
		out, err := cl.PutQueryDefinition(ctx, &cloudwatchlogs.PutQueryDefinitionInput{Name: aws.String(name),
			QueryString: aws.String("fields @timestamp, @message"), LogGroupNames: []string{"/aws/lambda/fn"}})
		if err != nil || len(aws.ToString(out.QueryDefinitionId)) != 36 {
			t.Fatalf("put %s: %v %+v", name, err, out)
		}
		ids = append(ids, aws.ToString(out.QueryDefinitionId))
	}
	if _, err := cl.PutQueryDefinition(ctx, &cloudwatchlogs.PutQueryDefinitionInput{QueryDefinitionId: aws.String(ids[1]),
		Name: aws.String("latency p99"), QueryString: aws.String("stats pct(@duration, 99)")}); err != nil {
		t.Fatal(err)
	}
	got, err := cl.DescribeQueryDefinitions(ctx, &cloudwatchlogs.DescribeQueryDefinitionsInput{QueryDefinitionNamePrefix: aws.String("latency")})
	if err != nil || len(got.QueryDefinitions) != 1 || aws.ToString(got.QueryDefinitions[0].Name) != "latency p99" ||
		len(got.QueryDefinitions[0].LogGroupNames) != 0 || got.QueryDefinitions[0].QueryLanguage != types.QueryLanguageCwli {
		t.Fatalf("describe: %v %+v", err, got)
	}
	del, err := cl.DeleteQueryDefinition(ctx, &cloudwatchlogs.DeleteQueryDefinitionInput{QueryDefinitionId: aws.String(ids[0])})
	if err != nil || !del.Success {
		t.Fatalf("delete: %v %+v", err, del)
	}
	_, err = cl.DeleteQueryDefinition(ctx, &cloudwatchlogs.DeleteQueryDefinitionInput{QueryDefinitionId: aws.String(ids[0])})
	assertCode(t, err, "ResourceNotFoundException")
}

// Destinations for other accounts' subscriptions through aws-sdk-go-v2 (the Terraform
// provider's aws_cloudwatch_log_destination and _destination_policy call the same operations).
func TestLogsDestinationsGoSDK(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	cl := cloudwatchlogs.NewFromConfig(srv.AWSConfig(ctx))
	out, err := cl.PutDestination(ctx, &cloudwatchlogs.PutDestinationInput{DestinationName: aws.String("central"),
		TargetArn: aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/RootAccess"),
		RoleArn:   aws.String("arn:aws:iam::123456789012:role/CWLtoKinesisRole")})
	if err != nil || aws.ToString(out.Destination.Arn) != "arn:aws:logs:us-east-1:123456789012:destination:central" {
		t.Fatalf("put: %v %+v", err, out)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"logs:PutSubscriptionFilter","Resource":"*"}]}`
	if _, err := cl.PutDestinationPolicy(ctx, &cloudwatchlogs.PutDestinationPolicyInput{DestinationName: aws.String("central"), AccessPolicy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	got, err := cl.DescribeDestinations(ctx, &cloudwatchlogs.DescribeDestinationsInput{DestinationNamePrefix: aws.String("cen")})
	if err != nil || len(got.Destinations) != 1 || aws.ToString(got.Destinations[0].AccessPolicy) != policy {
		t.Fatalf("describe: %v %+v", err, got)
	}
	if _, err := cl.DeleteDestination(ctx, &cloudwatchlogs.DeleteDestinationInput{DestinationName: aws.String("central")}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.DeleteDestination(ctx, &cloudwatchlogs.DeleteDestinationInput{DestinationName: aws.String("central")})
	assertDenied(t, err, "ResourceNotFoundException", "The specified destination does not exist.")
}

// Account B subscribes its log group to account A's destination through aws-sdk-go-v2: refused
// in AWS's words until A's access policy names B (aws/aws-cli#4422), then stored.
func TestLogsCrossAccountDestinationGoSDK(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, func(o *emulator.Options) {
		o.Accounts = []emulator.Account{{ID: emulator.DefaultAccountID, AccessKeyID: emulator.DefaultAccessKeyID, SecretAccessKey: emulator.DefaultSecretAccessKey},
			{ID: accountB, AccessKeyID: "KEYB", SecretAccessKey: "SECRETB"}}
	})
	ctx := context.Background()
	a, b := cloudwatchlogs.NewFromConfig(srv.AWSConfig(ctx)), cloudwatchlogs.NewFromConfig(srv.ConfigFor("KEYB", "SECRETB", ""))
	dest, err := a.PutDestination(ctx, &cloudwatchlogs.PutDestinationInput{DestinationName: aws.String("central"),
		TargetArn: aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/RootAccess"),
		RoleArn:   aws.String("arn:aws:iam::123456789012:role/CWLtoKinesisRole")})
	if err != nil {
		t.Fatal(err)
	}
	destARN := aws.ToString(dest.Destination.Arn)
	if _, err := b.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	subscribe := func() error {
		_, err := b.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String("app"),
			FilterName: aws.String("to-central"), FilterPattern: aws.String(""), DestinationArn: aws.String(destARN)})
		return err
	}
	assertDenied(t, subscribe(), "AccessDeniedException",
		"User with accountId: "+accountB+" is not authorized to perform: logs:PutSubscriptionFilter on resource: "+destARN)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + accountB +
		`"},"Action":"logs:PutSubscriptionFilter","Resource":"` + destARN + `"}]}`
	if _, err := a.PutDestinationPolicy(ctx, &cloudwatchlogs.PutDestinationPolicyInput{DestinationName: aws.String("central"), AccessPolicy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if err := subscribe(); err != nil {
		t.Fatalf("with the access policy: %v", err)
	}
}

// Denials: an IAM user without permission gets AccessDeniedException (400) naming the log
// group as CloudWatch Logs does; the seed page's Step 5 policy, spelt "cloudwatchlog:", is
// accepted and grants nothing; the correct "logs:" spelling on /aws/lambda/* grants.
func TestLogsDenials(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	root := cloudwatchlogs.NewFromConfig(srv.AWSConfig(ctx))
	mustOK(t)(root.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/fn")}))
	mustOK(t)(root.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("/aws/lambda/fn"), LogStreamName: aws.String("s")}))
	cl := cloudwatchlogs.NewFromConfig(newUser(t, srv, admin, "viewer"))
	_, err := cl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/x")})
	assertDenied(t, err, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/viewer is not authorized to perform: logs:CreateLogGroup on resource: arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:log-stream: because no identity-based policy allows the logs:CreateLogGroup action")
	putUserPolicy(t, admin, "viewer", "seed-step5", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "CloudWatchLogsPerms", "Effect": "Allow", "Action": [ "cloudwatchlog:DescribeLogGroups", "cloudwatchlog:DescribeLogStreams", "cloudwatchlog:GetLogEvents" ], "Resource": "arn:aws:logs:region:account-id:log-group:/aws/lambda/*" } ] }`)
	_, err = cl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	assertDenied(t, err, "AccessDeniedException", "not authorized to perform: logs:DescribeLogGroups on resource: arn:aws:logs:us-east-1:123456789012:log-group::log-stream: because no identity-based policy allows")
	putUserPolicy(t, admin, "viewer", "fixed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:DescribeLogStreams","logs:GetLogEvents"],"Resource":"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*"},{"Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"*"}]}`)
	if _, err := cl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/fn")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/aws/lambda/fn"), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/aws/lambda/fn"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String("m")}}})
	assertDenied(t, err, "AccessDeniedException", "logs:PutLogEvents on resource: arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:log-stream:s because")
}
