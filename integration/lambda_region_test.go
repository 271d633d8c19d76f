package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
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

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// regionalCode is a function that says which deployment it is and where it runs.
func regionalCode(t *testing.T, label string) []byte {
	return zipOf(t, map[string]string{"app.py": fmt.Sprintf(`import os

def handler(event, context):
    print("running %[1]s in", os.environ["AWS_REGION"])
    return {"code": %[1]q, "region": os.environ["AWS_REGION"], "arn": context.invoked_function_arn}
`, label)})
}

// regionClients are the SDK clients of one region, signed for it.
type regionClients struct {
	region  string
	lambda  *lambda.Client
	logs    *cloudwatchlogs.Client
	metrics *cloudwatch.Client
}

func clientsIn(srv *emulatortest.Server, region string) regionClients {
	cfg := srv.AWSConfig(context.Background())
	cfg.Region = region
	return regionClients{region: region, lambda: lambda.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg), metrics: cloudwatch.NewFromConfig(cfg)}
}

// Lambda, CloudWatch Logs and CloudWatch keep their state per region, as AWS does (the server
// runs in us-east-1; the clients name their region in their signatures): a function created
// in eu-west-1 is listed, read and invoked there only, under eu-west-1 ARNs; a function of the
// same name in us-east-1 is another function with its own code; an invocation's logs and
// AWS/Lambda metrics land in the function's region only.
func TestLambdaStateIsRegionalGoSDK(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	role := createRole(t, iam.NewFromConfig(srv.AWSConfig(ctx)), "regional-exec",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	eu, us := clientsIn(srv, "eu-west-1"), clientsIn(srv, "us-east-1")
	create := func(c regionClients, name, label string) *lambda.CreateFunctionOutput {
		t.Helper()
		out, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(role),
			Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: regionalCode(t, label)},
			Timeout: aws.Int32(30)})
		if err != nil {
			t.Fatalf("CreateFunction %s in %s: %v", name, c.region, err)
		}
		return out
	}
	euOnly := create(eu, "eu-only", "eu-code")
	twins := map[string]*lambda.CreateFunctionOutput{"eu-west-1": create(eu, "twin", "eu-code"), "us-east-1": create(us, "twin", "us-code")}
	if got := aws.ToString(euOnly.FunctionArn); got != "arn:aws:lambda:eu-west-1:123456789012:function:eu-only" {
		t.Errorf("eu-only ARN %s", got)
	}
	if aws.ToString(twins["eu-west-1"].CodeSha256) == aws.ToString(twins["us-east-1"].CodeSha256) {
		t.Fatal("the twins should have different code")
	}

	tests := []struct {
		c       regionClients
		listed  []string
		code    string
		euLogs  bool // /aws/lambda/eu-only exists here
		euCalls float64
	}{
		{eu, []string{"eu-only", "twin"}, "eu-code", true, 1},
		{us, []string{"twin"}, "us-code", false, 0},
	}
	if _, err := eu.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("eu-only"), Payload: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		list, err := tc.c.lambda.ListFunctions(ctx, &lambda.ListFunctionsInput{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range list.Functions {
			names = append(names, aws.ToString(f.FunctionName))
			if want := "arn:aws:lambda:" + tc.c.region + ":123456789012:function:" + aws.ToString(f.FunctionName); aws.ToString(f.FunctionArn) != want {
				t.Errorf("%s lists %s, want %s", tc.c.region, aws.ToString(f.FunctionArn), want)
			}
		}
		slices.Sort(names)
		if fmt.Sprint(names) != fmt.Sprint(tc.listed) {
			t.Errorf("ListFunctions in %s = %v, want %v", tc.c.region, names, tc.listed)
		}

		out, err := tc.c.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("twin"), Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		var ran struct{ Code, Region, Arn string }
		if err := json.Unmarshal(out.Payload, &ran); err != nil || out.FunctionError != nil {
			t.Fatalf("twin in %s: %s %v", tc.c.region, out.Payload, err)
		}
		if ran.Code != tc.code || ran.Region != tc.c.region || ran.Arn != "arn:aws:lambda:"+tc.c.region+":123456789012:function:twin" {
			t.Errorf("twin invoked in %s ran %+v", tc.c.region, ran)
		}

		// Logs: each twin's group holds its own region's output only; eu-only's group is
		// in eu-west-1 only.
		lines := waitForLogLine(t, tc.c.logs, "/aws/lambda/twin", "running "+tc.code+" in "+tc.c.region)
		for _, l := range lines {
			if strings.HasPrefix(l, "running ") && l != "running "+tc.code+" in "+tc.c.region {
				t.Errorf("%s's /aws/lambda/twin holds %q", tc.c.region, l)
			}
		}
		_, err = tc.c.logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/eu-only")})
		switch {
		case tc.euLogs && err != nil:
			t.Errorf("eu-only's logs in %s: %v", tc.c.region, err)
		case !tc.euLogs:
			assertDenied(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
		}

		// Metrics: eu-only's invocation counts in eu-west-1 only.
		if got := lambdaInvocations(t, tc.c.metrics, "eu-only"); got != tc.euCalls {
			t.Errorf("eu-only Invocations in %s = %v, want %v", tc.c.region, got, tc.euCalls)
		}
	}

	// The eu-west-1 ARN from a us-east-1 client is Lambda's answer for another region.
	_, err := us.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: euOnly.FunctionArn})
	assertDenied(t, err, "ResourceNotFoundException", "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')")
	_, err = us.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("eu-only")})
	assertDenied(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:eu-only")

	// The code download of the eu-west-1 twin serves the eu-west-1 package.
	got, err := eu.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("twin")})
	if err != nil || got.Code == nil || !strings.Contains(aws.ToString(got.Code.Location), "/eu-west-1/") {
		t.Fatalf("GetFunction twin in eu-west-1: %v %+v", err, got)
	}
	resp, body := rawDo(t, mustReq(t, "GET", aws.ToString(got.Code.Location)))
	if resp.StatusCode != 200 || body != string(regionalCodeOf(t, got, "eu-code")) {
		t.Errorf("download of the eu-west-1 twin: %d, %d bytes", resp.StatusCode, len(body))
	}
}

// regionalCodeOf checks the downloaded package's identity through its SHA-256 and returns the
// package it must equal: GetFunction reports the stored one's hash.
func regionalCodeOf(t *testing.T, got *lambda.GetFunctionOutput, label string) []byte {
	t.Helper()
	want := regionalCode(t, label)
	if codeSHA(want) != aws.ToString(got.Configuration.CodeSha256) {
		t.Fatalf("%s package hash %s differs from the function's %s", label, codeSHA(want), aws.ToString(got.Configuration.CodeSha256))
	}
	return want
}

// codeSHA is Lambda's CodeSha256 of a package: the base64 of its SHA-256.
func codeSHA(zip []byte) string {
	sum := sha256.Sum256(zip)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// waitForLogLine returns the lines of group once one of them is want: the executor hands
// output to the logs as the runtime writes it.
func waitForLogLine(t *testing.T, logs *cloudwatchlogs.Client, group, want string) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := logs.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
		var lines []string
		if err == nil {
			for _, e := range out.Events {
				lines = append(lines, strings.TrimSpace(aws.ToString(e.Message)))
			}
			if slices.Contains(lines, want) {
				return lines
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never held %q: %v %q", group, want, err, lines)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lambdaInvocations is the sum of a function's AWS/Lambda Invocations in the client's region.
func lambdaInvocations(t *testing.T, cw *cloudwatch.Client, function string) float64 {
	t.Helper()
	now := time.Now()
	out, err := cw.GetMetricStatistics(context.Background(), &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/Lambda"),
		MetricName: aws.String("Invocations"), Dimensions: []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String(function)}},
		StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Hour)), Period: aws.Int32(7200),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSum}})
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, d := range out.Datapoints {
		total += aws.ToFloat64(d.Sum)
	}
	return total
}

// boto3 names the region per client too: the eu-west-1 function is there and not in us-east-1,
// and the us-east-1 client gets Lambda's text for the eu-west-1 ARN.
func TestLambdaStateIsRegionalBoto3(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	out := runBoto3(t, srv, srv.Root.AccessKeyID, srv.Root.SecretAccessKey, `
import boto3, botocore, io, json, zipfile
iam = boto3.client("iam")
role = iam.create_role(RoleName="boto-regional", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("app.py", "import os\ndef handler(e, c):\n    return os.environ['AWS_REGION']\n")
eu = boto3.client("lambda", region_name="eu-west-1")
us = boto3.client("lambda", region_name="us-east-1")
fn = eu.create_function(FunctionName="boto-fn", Role=role, Runtime="python3.12", Handler="app.handler", Code={"ZipFile": buf.getvalue()})
print(fn["FunctionArn"])
print(sorted(f["FunctionName"] for f in eu.list_functions()["Functions"]), sorted(f["FunctionName"] for f in us.list_functions()["Functions"]))
print(eu.invoke(FunctionName="boto-fn")["Payload"].read().decode())
try:
    us.get_function(FunctionName=fn["FunctionArn"])
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], e.response["Error"]["Message"])
`)
	want := strings.Join([]string{
		"arn:aws:lambda:eu-west-1:123456789012:function:boto-fn",
		"['boto-fn'] []",
		`"eu-west-1"`,
		"ResourceNotFoundException Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
	}, "\n")
	if out != want {
		t.Errorf("boto3:\n%s\nwant:\n%s", out, want)
	}
}

// A database written before Lambda's state was regional (storage/testdata/schema2-lambda.db,
// schema version 2) opens with its functions in the region the server runs in, and the server
// logs the upgrade.
func TestServerMovesOldLambdaStateIntoItsRegion(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../storage/testdata/schema2-lambda.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "iamlocal.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	srv := emulatortest.New(t, func(o *emulator.Options) {
		o.DBPath, o.Region = path, "eu-west-1"
		o.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	})
	if log := logged.String(); !strings.Contains(log, "storage upgraded") || !strings.Contains(log, "region eu-west-1") {
		t.Errorf("server log:\n%s", log)
	}
	ctx := context.Background()
	got, err := clientsIn(srv, "eu-west-1").lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("fixture-fn")})
	if err != nil || aws.ToString(got.Configuration.FunctionArn) != "arn:aws:lambda:eu-west-1:123456789012:function:fixture-fn" {
		t.Fatalf("fixture-fn in eu-west-1: %v %+v\n%s", err, got, logged.String())
	}
	_, err = clientsIn(srv, "us-east-1").lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("fixture-fn")})
	assertDenied(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:fixture-fn")
}
