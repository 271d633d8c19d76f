package integration

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// pythonLogsReceiver decodes a subscription payload as the Developer Guide's example does
// (base64, gzip, JSON) and prints it for the test to read in its own log.
const pythonLogsReceiver = `
import base64, gzip, json

def handler(event, context):
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    print("AWSLOGS " + json.dumps(data))
`

// A subscription filter delivers the matching events of PutLogEvents to a python function
// whose policy allows CloudWatch Logs, in AWS's payload; a function without that permission is
// refused at PutSubscriptionFilter with AWS's text.
func TestLogsSubscriptionToLambda(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	srv := emulatortest.New(t)
	ctx := context.Background()
	cfg := srv.AWSConfig(ctx)
	fns, cwl := lambda.NewFromConfig(cfg), cloudwatchlogs.NewFromConfig(cfg)
	role := createRole(t, iam.NewFromConfig(cfg), "receiver-exec", lambdaExecTrust)
	for _, name := range []string{"receiver", "closed"} {
		if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(role),
			Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Timeout: aws.Int32(30),
			Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": pythonLogsReceiver})}}); err != nil {
			t.Fatal(err)
		}
	}
	const fnPrefix = "arn:aws:lambda:us-east-1:123456789012:function:"
	if _, err := fns.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("receiver"), StatementId: aws.String("cwl"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("logs.us-east-1.amazonaws.com"),
		SourceArn:     aws.String("arn:aws:logs:us-east-1:123456789012:log-group:app:*"),
		SourceAccount: aws.String("123456789012")}); err != nil {
		t.Fatal(err)
	}
	mustOK(t)(cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("app")}))
	mustOK(t)(cwl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("app"), LogStreamName: aws.String("web-1")}))

	_, err := cwl.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String("app"),
		FilterName: aws.String("closed"), FilterPattern: aws.String(""), DestinationArn: aws.String(fnPrefix + "closed")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidParameterException" ||
		apiErr.ErrorMessage() != "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function." {
		t.Fatalf("subscription to a function without the permission: %v", err)
	}

	mustOK(t)(cwl.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String("app"),
		FilterName: aws.String("errors"), FilterPattern: aws.String("ERROR"), DestinationArn: aws.String(fnPrefix + "receiver")}))
	filters, err := cwl.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("app")})
	if err != nil || len(filters.SubscriptionFilters) != 1 || filters.SubscriptionFilters[0].Distribution != logstypes.DistributionByLogStream {
		t.Fatalf("%v %+v", err, filters)
	}
	ms := time.Now().UnixMilli()
	mustOK(t)(cwl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("app"), LogStreamName: aws.String("web-1"),
		LogEvents: []logstypes.InputLogEvent{{Timestamp: aws.Int64(ms), Message: aws.String("ERROR disk full")},
			{Timestamp: aws.Int64(ms), Message: aws.String("all good")}, {Timestamp: aws.Int64(ms + 1), Message: aws.String("ERROR again")}}}))

	data := waitForAWSLogs(t, cwl, "DATA_MESSAGE", 60*time.Second)
	events, _ := data["logEvents"].([]any)
	if data["owner"] != "123456789012" || data["logGroup"] != "app" || data["logStream"] != "web-1" ||
		!reflect.DeepEqual(data["subscriptionFilters"], []any{"errors"}) || len(events) != 2 {
		t.Fatalf("payload %v", data)
	}
	for i, want := range []string{"ERROR disk full", "ERROR again"} {
		e, _ := events[i].(map[string]any)
		if e["message"] != want || len(e["id"].(string)) != 56 {
			t.Errorf("event %d: %v", i, e)
		}
	}
	if control := waitForAWSLogs(t, cwl, "CONTROL_MESSAGE", 10*time.Second); control["owner"] != "CloudwatchLogs" {
		t.Errorf("control message %v", control)
	}
}

// waitForAWSLogs reads the payloads the receiver printed until one has messageType.
func waitForAWSLogs(t *testing.T, cwl *cloudwatchlogs.Client, messageType string, within time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		out, err := cwl.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/receiver")})
		if err == nil {
			for _, e := range out.Events {
				if _, doc, ok := strings.Cut(aws.ToString(e.Message), "AWSLOGS "); ok {
					var m map[string]any
					if err := json.Unmarshal([]byte(strings.TrimSpace(doc)), &m); err != nil {
						t.Fatalf("payload %q: %v", doc, err)
					}
					if m["messageType"] == messageType {
						return m
					}
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the receiver got no %s", messageType)
	return nil
}
