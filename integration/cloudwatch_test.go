package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// CloudWatch through aws-sdk-go-v2, which speaks Smithy RPC v2 CBOR to it (service/cloudwatch
// v1.75): PutMetricData in all its forms, GetMetricStatistics, GetMetricData, ListMetrics,
// alarms and the Query error codes carried in x-amzn-query-error.
func TestCloudWatchGoSDK(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Minute).Add(30 * time.Second)
	srv := emulatortest.New(t, fixedClock(now))
	ctx := context.Background()
	cw := cloudwatch.NewFromConfig(srv.AWSConfig(ctx))
	must := mustOK(t)
	dims := []types.Dimension{{Name: aws.String("Host"), Value: aws.String("a")}, {Name: aws.String("App"), Value: aws.String("web")}}
	at := now.Add(-90 * time.Second) // in the minute before now's
	must(cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("MyApp"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("Latency"), Dimensions: dims, Timestamp: aws.Time(at), Value: aws.Float64(10), Unit: types.StandardUnitMilliseconds},
		{MetricName: aws.String("Latency"), Dimensions: dims, Timestamp: aws.Time(at), Values: []float64{20, 30}, Counts: []float64{1, 2}, Unit: types.StandardUnitMilliseconds},
		{MetricName: aws.String("Latency"), Dimensions: dims, Timestamp: aws.Time(now), StatisticValues: &types.StatisticSet{
			SampleCount: aws.Float64(4), Sum: aws.Float64(8), Minimum: aws.Float64(1), Maximum: aws.Float64(3)}, Unit: types.StandardUnitMilliseconds},
		{MetricName: aws.String("Requests"), Dimensions: dims[:1], Value: aws.Float64(1)},
	}}))
	_, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/Lambda"), MetricData: []types.MetricDatum{{MetricName: aws.String("X"), Value: aws.Float64(1)}}})
	assertDenied(t, err, "InvalidParameterValue", "The value AWS/Lambda for parameter Namespace is invalid.")
	_, err = cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("MyApp"), MetricData: []types.MetricDatum{{MetricName: aws.String("X"),
		Value: aws.Float64(1), StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(1), Sum: aws.Float64(1), Minimum: aws.Float64(1), Maximum: aws.Float64(1)}}}})
	assertCode(t, err, "InvalidParameterCombination")

	// Dimensions match exactly, in any order.
	stats, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("MyApp"), MetricName: aws.String("Latency"),
		Dimensions: []types.Dimension{dims[1], dims[0]}, StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now.Add(time.Minute)), Period: aws.Int32(60),
		Statistics: []types.Statistic{types.StatisticSampleCount, types.StatisticSum, types.StatisticAverage, types.StatisticMinimum, types.StatisticMaximum}})
	if err != nil || len(stats.Datapoints) != 2 || aws.ToString(stats.Label) != "Latency" {
		t.Fatalf("statistics: %v %+v", err, stats)
	}
	first := stats.Datapoints[0]
	if aws.ToFloat64(first.SampleCount) != 4 || aws.ToFloat64(first.Sum) != 90 || aws.ToFloat64(first.Average) != 22.5 ||
		aws.ToFloat64(first.Minimum) != 10 || aws.ToFloat64(first.Maximum) != 30 || first.Unit != types.StandardUnitMilliseconds ||
		!first.Timestamp.Equal(at.Truncate(time.Minute)) {
		t.Fatalf("first period: %+v", first)
	}
	if second := stats.Datapoints[1]; aws.ToFloat64(second.SampleCount) != 4 || aws.ToFloat64(second.Sum) != 8 {
		t.Fatalf("statistic set: %+v", second)
	}
	p, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("MyApp"), MetricName: aws.String("Latency"),
		Dimensions: dims, StartTime: aws.Time(at.Truncate(time.Minute)), EndTime: aws.Time(at.Truncate(time.Minute).Add(time.Minute)), Period: aws.Int32(60),
		ExtendedStatistics: []string{"p50", "p99"}})
	if err != nil || len(p.Datapoints) != 1 || p.Datapoints[0].ExtendedStatistics["p50"] != 20 || p.Datapoints[0].ExtendedStatistics["p99"] != 30 {
		t.Fatalf("percentiles: %v %+v", err, p)
	}
	none, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("MyApp"), MetricName: aws.String("Latency"),
		Dimensions: dims[:1], StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticSum}})
	if err != nil || len(none.Datapoints) != 0 {
		t.Fatalf("a subset of the dimensions is another metric: %v %+v", err, none)
	}
	_, err = cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("MyApp"), MetricName: aws.String("Latency"),
		StartTime: aws.Time(now.Truncate(time.Minute).Add(-48 * time.Hour)), EndTime: aws.Time(now.Truncate(time.Minute)), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticSum}})
	assertDenied(t, err, "InvalidParameterCombination", "You have requested up to 2,880 datapoints, which exceeds the limit of 1,440.")
	_, err = cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("MyApp"), MetricName: aws.String("Latency"),
		StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour)), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticSum}})
	assertDenied(t, err, "InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.")

	data, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now.Add(time.Minute)),
		MetricDataQueries: []types.MetricDataQuery{
			{Id: aws.String("lat"), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("MyApp"), MetricName: aws.String("Latency"), Dimensions: dims},
				Period: aws.Int32(60), Stat: aws.String("Sum")}},
			{Id: aws.String("math"), Expression: aws.String("lat * 2")},
		}})
	if err != nil || len(data.MetricDataResults) != 2 {
		t.Fatalf("metric data: %v %+v", err, data)
	}
	lat := data.MetricDataResults[0]
	if lat.StatusCode != types.StatusCodeComplete || len(lat.Values) != 2 || lat.Values[0] != 8 || lat.Values[1] != 90 || !lat.Timestamps[0].After(lat.Timestamps[1]) {
		t.Fatalf("newest first: %+v", lat)
	}

	list, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("MyApp"), Dimensions: []types.DimensionFilter{{Name: aws.String("Host"), Value: aws.String("a")}}})
	if err != nil || len(list.Metrics) != 2 {
		t.Fatalf("list: %v %+v", err, list)
	}
	list, err = cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{MetricName: aws.String("Latency"), Dimensions: []types.DimensionFilter{{Name: aws.String("App")}}})
	if err != nil || len(list.Metrics) != 1 || len(list.Metrics[0].Dimensions) != 2 {
		t.Fatalf("list by dimension name: %v %+v", err, list)
	}

	must(cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("high-latency"), Namespace: aws.String("MyApp"), MetricName: aws.String("Latency"),
		Dimensions: dims, Statistic: types.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(100),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold}))
	alarms, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("high")})
	if err != nil || len(alarms.MetricAlarms) != 1 || alarms.MetricAlarms[0].StateValue != types.StateValueInsufficientData ||
		aws.ToString(alarms.MetricAlarms[0].AlarmArn) != "arn:aws:cloudwatch:us-east-1:123456789012:alarm:high-latency" {
		t.Fatalf("alarms: %v %+v", err, alarms)
	}
	_, err = cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"high-latency", "missing"}})
	assertCode(t, err, "ResourceNotFound")
	must(cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"high-latency"}}))
	if alarms, _ := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); len(alarms.MetricAlarms) != 0 {
		t.Fatalf("deleted alarm listed: %+v", alarms)
	}
	// A SigV4 failure keeps CloudWatch's Query code through CBOR.
	bad := srv.ConfigFor(srv.Root.AccessKeyID, "wrong", "")
	_, err = cloudwatch.NewFromConfig(bad).ListMetrics(ctx, &cloudwatch.ListMetricsInput{})
	assertCode(t, err, "SignatureDoesNotMatch")
}

// runBoto3With is runBoto3 with extra environment (AWS_DATA_PATH to pick a protocol).
func runBoto3With(t *testing.T, srv *emulatortest.Server, extra []string, script string) string {
	t.Helper()
	cmd := exec.Command(needBoto3(t), "-c", script)
	cmd.Env = append(clientEnv(srv, srv.Root.AccessKeyID, srv.Root.SecretAccessKey, ""), extra...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("boto3 script failed: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
	}
	return strings.TrimSpace(out.String())
}

// modelWithProtocol writes the CloudWatch model restricted to one protocol where botocore's
// loader (AWS_DATA_PATH) finds it first, so boto3 speaks that protocol.
func modelWithProtocol(t *testing.T, protocol string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "internal", "awsdata", "models", "cloudwatch.json"))
	if err != nil {
		t.Fatalf("the CloudWatch model in internal/awsdata/models is needed: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	meta := m["metadata"].(map[string]any)
	meta["protocol"], meta["protocols"] = protocol, []string{protocol}
	dir := t.TempDir()
	path := filepath.Join(dir, "cloudwatch", "2010-08-01")
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(path, "service-2.json"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const boto3CloudWatchScript = `
import boto3, botocore, datetime
cw = boto3.client("cloudwatch")
now = datetime.datetime.now(datetime.timezone.utc)
cw.put_metric_data(Namespace="Py", MetricData=[{"MetricName": "Hits", "Dimensions": [{"Name": "Page", "Value": "home"}],
    "Timestamp": now, "Values": [1.0, 2.0], "Counts": [1.0, 3.0], "Unit": "Count"}])
s = cw.get_metric_statistics(Namespace="Py", MetricName="Hits", Dimensions=[{"Name": "Page", "Value": "home"}],
    StartTime=now - datetime.timedelta(minutes=5), EndTime=now + datetime.timedelta(minutes=1), Period=60, Statistics=["Sum", "SampleCount"])
dp = s["Datapoints"][0]
print(s["Label"], float(dp["Sum"]), float(dp["SampleCount"]), dp["Unit"])
print([m["MetricName"] for m in cw.list_metrics(Namespace="Py")["Metrics"]])
d = cw.get_metric_data(StartTime=now - datetime.timedelta(minutes=5), EndTime=now + datetime.timedelta(minutes=1),
    MetricDataQueries=[{"Id": "h", "MetricStat": {"Metric": {"Namespace": "Py", "MetricName": "Hits",
    "Dimensions": [{"Name": "Page", "Value": "home"}]}, "Period": 60, "Stat": "Maximum"}}])
print([float(v) for v in d["MetricDataResults"][0]["Values"]], d["MetricDataResults"][0]["StatusCode"])
try:
    cw.put_metric_data(Namespace="AWS/EC2", MetricData=[{"MetricName": "x", "Value": 1}])
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
`

// boto3 speaks CloudWatch's JSON 1.0 (botocore 1.43 prefers json to cbor); with the model
// narrowed it also speaks Query and RPC v2 CBOR, the forms older and other SDKs send.
func TestCloudWatchBoto3AllProtocols(t *testing.T) {
	t.Parallel()
	want := "Hits 7.0 4.0 Count\n['Hits']\n[2.0] Complete\nInvalidParameterValue 400"
	for _, tc := range []struct{ name, protocol string }{{"json", ""}, {"query", "query"}, {"cbor", "smithy-rpc-v2-cbor"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t)
			var env []string
			if tc.protocol != "" {
				env = append(env, "AWS_DATA_PATH="+modelWithProtocol(t, tc.protocol))
			}
			if out := runBoto3With(t, srv, env, boto3CloudWatchScript); out != want {
				t.Fatalf("got\n%s\nwant\n%s", out, want)
			}
		})
	}
}

func TestCloudWatchCLI(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	key, secret := srv.Root.AccessKeyID, srv.Root.SecretAccessKey
	if _, stderr, err := runCLI(t, srv, key, secret, "cloudwatch", "put-metric-data", "--namespace", "Cli", "--metric-name", "Jobs", "--value", "3", "--unit", "Count"); err != nil {
		t.Fatalf("put-metric-data: %v %s", err, stderr)
	}
	out, stderr, err := runCLI(t, srv, key, secret, "cloudwatch", "list-metrics", "--namespace", "Cli")
	if err != nil || !strings.Contains(out, `"MetricName": "Jobs"`) {
		t.Fatalf("list-metrics: %v %s %s", err, out, stderr)
	}
	_, stderr, err = runCLI(t, srv, key, secret, "cloudwatch", "delete-alarms", "--alarm-names", "nope")
	if err == nil || !strings.Contains(stderr, "An error occurred (ResourceNotFound) when calling the DeleteAlarms operation") {
		t.Fatalf("delete-alarms: %v %s", err, stderr)
	}
}

// The seed page's Step 5: cloudwatch:GetMetricStatistics on "*" lets a user read the metrics
// and nothing else; denials are AccessDenied (403) without a resource, or with the alarm ARN.
func TestCloudWatchDenials(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	cw := cloudwatch.NewFromConfig(newUser(t, srv, admin, "monitor"))
	in := &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Invocations"),
		StartTime: aws.Time(time.Now().Add(-time.Hour)), EndTime: aws.Time(time.Now()), Period: aws.Int32(300), Statistics: []types.Statistic{types.StatisticSum}}
	_, err := cw.GetMetricStatistics(ctx, in)
	assertDenied(t, err, "AccessDenied", "User: arn:aws:iam::123456789012:user/monitor is not authorized to perform: cloudwatch:GetMetricStatistics because no identity-based policy allows the cloudwatch:GetMetricStatistics action")
	putUserPolicy(t, admin, "monitor", "step5", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "CloudWatchPermission", "Effect": "Allow", "Action": [ "cloudwatch:GetMetricStatistics" ], "Resource": "*" } ] }`)
	if _, err := cw.GetMetricStatistics(ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	assertDenied(t, err, "AccessDenied", "cloudwatch:DescribeAlarms on resource: arn:aws:cloudwatch:us-east-1:123456789012:alarm:* because")
	out := runBoto3(t, srv, srv.Root.AccessKeyID, srv.Root.SecretAccessKey, `
import boto3, botocore
iam = boto3.client("iam")
k = iam.create_access_key(UserName="monitor")["AccessKey"]
cw = boto3.client("cloudwatch", aws_access_key_id=k["AccessKeyId"], aws_secret_access_key=k["SecretAccessKey"])
try:
    cw.put_metric_data(Namespace="X", MetricData=[{"MetricName": "m", "Value": 1}])
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"])
`)
	if out != "AccessDenied 403 User: arn:aws:iam::123456789012:user/monitor is not authorized to perform: cloudwatch:PutMetricData because no identity-based policy allows the cloudwatch:PutMetricData action" {
		t.Fatalf("boto3 denial: %s", out)
	}
}

// Raw requests to the new faces: unsigned ones get their protocol's MissingAuthenticationToken
// form, an unknown key the JSON services' UnrecognizedClientException or CloudWatch's
// InvalidClientTokenId (carried in x-amzn-query-error), and the Query face answers XML.
func TestMonitoringWireErrors(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	post := func(path, body string, hdr map[string]string) (*http.Response, string) {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return rawDo(t, req)
	}
	resp, body := post("/", "{}", map[string]string{"X-Amz-Target": "Logs_20140328.DescribeLogGroups", "Content-Type": "application/x-amz-json-1.1"})
	if resp.StatusCode != 400 || body != `{"__type":"MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}` ||
		resp.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Errorf("logs unsigned: %d %s", resp.StatusCode, body)
	}
	resp, body = post("/", "{}", map[string]string{"X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics", "Content-Type": "application/x-amz-json-1.0"})
	if resp.StatusCode != 403 || resp.Header.Get("x-amzn-query-error") != "MissingAuthenticationToken;Sender" || !strings.Contains(body, `"__type":"MissingAuthenticationTokenException"`) {
		t.Errorf("cloudwatch json unsigned: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, body = post("/service/GraniteServiceVersion20100801/operation/ListMetrics", "", map[string]string{"Smithy-Protocol": "rpc-v2-cbor"})
	if resp.StatusCode != 403 || resp.Header.Get("x-amzn-query-error") != "MissingAuthenticationToken;Sender" ||
		resp.Header.Get("Content-Type") != "application/cbor" || resp.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" || !strings.Contains(body, "MissingAuthenticationTokenException") {
		t.Errorf("cloudwatch cbor unsigned: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	resp, body = post("/", "Action=ListMetrics&Version=2010-08-01", map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != 403 || !strings.Contains(body, `<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">`) || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") {
		t.Errorf("cloudwatch query unsigned: %d %s", resp.StatusCode, body)
	}

	unknown := aws.Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWN00", SecretAccessKey: "x"}
	resp, body = signedRaw(t, unknown, "POST", srv.URL+"/", "logs", "{}", map[string]string{"X-Amz-Target": "Logs_20140328.DescribeLogGroups", "Content-Type": "application/x-amz-json-1.1"})
	if resp.StatusCode != 400 || body != `{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}` {
		t.Errorf("logs unknown key: %d %s", resp.StatusCode, body)
	}
	resp, body = signedRaw(t, unknown, "POST", srv.URL+"/", "monitoring", "{}", map[string]string{"X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics", "Content-Type": "application/x-amz-json-1.0"})
	if resp.StatusCode != 403 || resp.Header.Get("x-amzn-query-error") != "InvalidClientTokenId;Sender" || !strings.Contains(body, "UnrecognizedClientException") {
		t.Errorf("cloudwatch unknown key: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	root := aws.Credentials{AccessKeyID: srv.Root.AccessKeyID, SecretAccessKey: srv.Root.SecretAccessKey}
	resp, body = signedRaw(t, root, "POST", srv.URL+"/", "logs", "{}", map[string]string{"X-Amz-Target": "Logs_20140328.NoSuchOperation", "Content-Type": "application/x-amz-json-1.1"})
	if resp.StatusCode != 400 || !strings.Contains(body, `"__type":"UnknownOperationException"`) {
		t.Errorf("logs unknown operation: %d %s", resp.StatusCode, body)
	}
	resp, body = signedRaw(t, root, "POST", srv.URL+"/", "logs", "{not json", map[string]string{"X-Amz-Target": "Logs_20140328.DescribeLogGroups", "Content-Type": "application/x-amz-json-1.1"})
	if resp.StatusCode != 400 || !strings.Contains(body, `"__type":"SerializationException"`) {
		t.Errorf("logs bad body: %d %s", resp.StatusCode, body)
	}
	resp, body = signedRaw(t, root, "POST", srv.URL+"/service/GraniteServiceVersion20100801/operation/ListMetrics", "monitoring", "\xff", map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"})
	if resp.StatusCode != 400 || resp.Header.Get("x-amzn-query-error") != "SerializationException;Sender" {
		t.Errorf("cbor bad body: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	resp, body = signedRaw(t, root, "POST", srv.URL+"/", "monitoring", "Action=ListMetrics&Version=2010-08-01&Namespace=None", map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != 200 || !strings.Contains(body, "<ListMetricsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">") || !strings.Contains(body, "<Metrics/>") {
		t.Errorf("query ListMetrics: %d %s", resp.StatusCode, body)
	}
}
