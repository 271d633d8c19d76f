package integration

import (
	"errors"
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
)

// Lambda delivers to destinations as the function's execution role, and checks the role when
// the config is written: a role without lambda:InvokeFunction (or sqs:SendMessage, sns:Publish,
// ...) on the destination gets "The function execution role does not have permissions to call
// InvokeFunction on <arn>" (InvalidParameterValueException, as CloudFormation's
// AWS::Lambda::EventInvokeConfig reports it from AWS); a role that loses the permission later
// delivers nothing.
func TestDestinationsNeedTheExecutionRolesPermission(t *testing.T) {
	t.Parallel()
	f := newAsyncFixture(t, asyncServer(t), "1")
	admin := iam.NewFromConfig(f.srv.AWSConfig(f.ctx))
	put := func(dest string) error {
		_, err := f.fns.PutFunctionEventInvokeConfig(f.ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("flaky"),
			MaximumRetryAttempts: aws.Int32(0),
			DestinationConfig:    &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String(dest)}}})
		return err
	}
	const sink = "arn:aws:lambda:us-east-1:123456789012:function:sink"
	if err := put(sink); err != nil {
		t.Fatalf("the role may invoke sink: %v", err)
	}
	tests := []struct{ dest, op string }{
		{"arn:aws:sqs:us-east-1:123456789012:failures", "SendMessage"},
		{"arn:aws:sns:us-east-1:123456789012:failures", "Publish"},
		{"arn:aws:events:us-east-1:123456789012:event-bus/default", "PutEvents"},
		{"arn:aws:s3:::failures-bucket", "PutObject"},
	}
	for _, tt := range tests {
		var apiErr smithy.APIError
		err := put(tt.dest)
		want := "The function execution role does not have permissions to call " + tt.op + " on " + tt.dest
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidParameterValueException" || apiErr.ErrorMessage() != want {
			t.Errorf("destination %s: %v, want %s", tt.dest, err, want)
		}
	}
	if _, err := admin.PutRolePolicy(f.ctx, &iam.PutRolePolicyInput{RoleName: aws.String("async-exec"), PolicyName: aws.String("queue"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:failures"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if err := put(tests[0].dest); err != nil {
		t.Errorf("with sqs:SendMessage on the queue: %v", err)
	}

	// The permission goes after the config is written: the failed event's record stays undelivered.
	if err := put(sink); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.DeleteRolePolicy(f.ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("async-exec"), PolicyName: aws.String("destinations")}); err != nil {
		t.Fatal(err)
	}
	id := f.event(t, `{"order":10}`)
	want := "iamlocal: the invocation record of request " + id + " (RetriesExhausted) was not sent to the OnFailure destination " + sink +
		": the execution role session arn:aws:sts::123456789012:assumed-role/async-exec/flaky is not allowed lambda:InvokeFunction on it"
	var got []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		out, err := f.logs.FilterLogEvents(f.ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/flaky"),
			FilterPattern: aws.String(`"not sent"`)})
		var missing *logstypes.ResourceNotFoundException
		if errors.As(err, &missing) {
			continue // the function's first log lines are still on their way
		} else if err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for _, e := range out.Events {
			got = append(got, aws.ToString(e.Message))
		}
		if len(got) > 0 {
			break
		}
	}
	if len(got) != 1 || strings.TrimSpace(got[0]) != want {
		t.Errorf("flaky's log: %q\nwant %q", got, want)
	}
	if out, err := f.logs.FilterLogEvents(f.ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/sink")}); err == nil && len(out.Events) > 0 {
		t.Errorf("sink ran: %v", out.Events)
	}
}

// A dead-letter queue is checked as the destinations are: CreateFunction and
// UpdateFunctionConfiguration refuse a queue or topic the execution role may not send to, in
// the words Terraform and CloudFormation report from AWS ("The provided execution role does
// not have permissions to call SendMessage on SQS").
func TestDeadLetterQueueNeedsTheExecutionRolesPermission(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t)
	const queue, topic = "arn:aws:sqs:us-east-1:123456789012:dlq", "arn:aws:sns:us-east-1:123456789012:dlq"
	create := func(name string) error {
		_, err := f.c.CreateFunction(f.ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(f.role),
			Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: lambdaZip(t, "def handler(e, c):\n    return 1\n")},
			DeadLetterConfig: &lambdatypes.DeadLetterConfig{TargetArn: aws.String(queue)}})
		return err
	}
	wantRefusal := func(err error, text string) {
		t.Helper()
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidParameterValueException" || apiErr.ErrorMessage() != text {
			t.Errorf("got %v, want InvalidParameterValueException %q", err, text)
		}
	}
	wantRefusal(create("first"), "The provided execution role does not have permissions to call SendMessage on SQS")
	admin := iam.NewFromConfig(f.srv.AWSConfig(f.ctx))
	if _, err := admin.PutRolePolicy(f.ctx, &iam.PutRolePolicyInput{RoleName: aws.String("lambda-exec"), PolicyName: aws.String("dlq"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"` + queue + `"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if err := create("first"); err != nil {
		t.Fatalf("with sqs:SendMessage on the queue: %v", err)
	}
	if err := lambda.NewFunctionActiveV2Waiter(f.c).Wait(f.ctx, &lambda.GetFunctionInput{FunctionName: aws.String("first")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err := f.c.UpdateFunctionConfiguration(f.ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("first"),
		DeadLetterConfig: &lambdatypes.DeadLetterConfig{TargetArn: aws.String(topic)}})
	wantRefusal(err, "The provided execution role does not have permissions to call Publish on SNS")
	got := must[*lambda.GetFunctionConfigurationOutput](t)(f.c.GetFunctionConfiguration(f.ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("first")}))
	if got.DeadLetterConfig == nil || aws.ToString(got.DeadLetterConfig.TargetArn) != queue {
		t.Errorf("a refused update changed the dead-letter queue: %+v", got.DeadLetterConfig)
	}
}
