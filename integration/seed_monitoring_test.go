package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// Step 5 of the seed walkthrough: after invocations, the function's metrics are in CloudWatch
// (AWS/Lambda Invocations and Errors by FunctionName) and its output in CloudWatch Logs
// (/aws/lambda/<name>). The user's cloudwatch:GetMetricStatistics grant works; the page's
// misspelt "cloudwatchlog:" grant is accepted and grants nothing, as on AWS.
func TestSeedWalkthroughMonitoring(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	root := iam.NewFromConfig(srv.AWSConfig(ctx))
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	role := createRole(t, root, "mon-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	code := zipOf(t, map[string]string{"app.py": "def handler(event, context):\n    print('processing', event.get('id'))\n    if event.get('fail'):\n        raise RuntimeError('boom')\n    return 'done'\n"})
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("monitored"), Role: aws.String(role),
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: code}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{`{"id":1}`, `{"id":2}`, `{"id":3,"fail":true}`} {
		if _, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("monitored"), Payload: []byte(p)}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := newUser(t, srv, root, "watcher")
	putUserPolicy(t, root, "watcher", "CloudWatchPermission", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "CloudWatchPermission", "Effect": "Allow", "Action": [ "cloudwatch:GetMetricStatistics" ], "Resource": "*" } ] }`)
	putUserPolicy(t, root, "watcher", "CloudWatchLogsPerms", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "CloudWatchLogsPerms", "Effect": "Allow", "Action": [ "cloudwatchlog:DescribeLogGroups", "cloudwatchlog:DescribeLogStreams", "cloudwatchlog:GetLogEvents" ], "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*" } ] }`)
	cw := cloudwatch.NewFromConfig(cfg)
	now := time.Now()
	sum := func(metric string) float64 {
		t.Helper()
		out, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String(metric),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String("monitored")}},
			StartTime:  aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Hour)), Period: aws.Int32(7200),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticSum}})
		if err != nil {
			t.Fatalf("GetMetricStatistics %s: %v", metric, err)
		}
		var total float64
		for _, d := range out.Datapoints {
			total += aws.ToFloat64(d.Sum)
		}
		return total
	}
	if inv, errs := sum("Invocations"), sum("Errors"); inv != 3 || errs != 1 {
		t.Errorf("Invocations = %v, Errors = %v; want 3 and 1", inv, errs)
	}
	_, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{})
	assertCode(t, err, "AccessDenied")
	_, err = cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	assertCode(t, err, "AccessDeniedException")

	// The logs are there for a user allowed to read them.
	logs := cloudwatchlogs.NewFromConfig(srv.AWSConfig(ctx))
	streams, err := logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/monitored")})
	if err != nil || len(streams.LogStreams) == 0 {
		t.Fatalf("log streams: %v %v", streams, err)
	}
	var text strings.Builder
	for _, st := range streams.LogStreams {
		ev, err := logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/aws/lambda/monitored"),
			LogStreamName: st.LogStreamName, StartFromHead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ev.Events {
			text.WriteString(aws.ToString(e.Message) + "\n")
		}
	}
	for _, want := range []string{"START RequestId:", "processing 1", "processing 3", "RuntimeError", "REPORT RequestId:"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, text.String())
		}
	}
}
