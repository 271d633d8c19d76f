//go:build terraform

package integration

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// terraformRun is a Terraform working directory bound to one in-process server.
type terraformRun struct {
	t       *testing.T
	bin     string
	dir     string
	env     []string
	vars    []string
	logPath string // TF_LOG_PATH, suffixed with each command's name
}

// newTerraformRun copies testdata/terraform into a fresh directory and initialises it from the
// provider mirror alone: nothing is downloaded. It fails, naming what is missing, when Terraform
// or the cached AWS provider is not on this machine.
func newTerraformRun(t *testing.T, srv *emulatortest.Server, zipPath string) *terraformRun {
	t.Helper()
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("this test applies a Terraform configuration, and `terraform` is not on PATH: install Terraform 1.11 and rerun")
	}
	pluginDir := os.Getenv("IAMLOCAL_TF_PLUGIN_DIR")
	if pluginDir == "" {
		pluginDir = "/opt/tf-plugins"
	}
	provider := filepath.Join(pluginDir, "registry.terraform.io/hashicorp/aws/5.100.0")
	if _, err := os.Stat(provider); err != nil {
		t.Fatalf("this test needs the hashicorp/aws 5.100.0 provider in a filesystem mirror at %s (IAMLOCAL_TF_PLUGIN_DIR): %v", pluginDir, err)
	}
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "terraform", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	cliConfig := filepath.Join(home, "terraform.rc")
	if err := os.WriteFile(cliConfig, []byte("disable_checkpoint = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A clean environment: no AWS profile, credentials or endpoint of the machine's leaks in.
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TF_CLI_CONFIG_FILE=" + cliConfig,
		"TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1",
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	}
	if v := os.Getenv("TF_LOG"); v != "" {
		env = append(env, "TF_LOG="+v)
	}
	r := &terraformRun{t: t, bin: bin, dir: dir, env: env, logPath: os.Getenv("TF_LOG_PATH"),
		vars: []string{"-var", "endpoint=" + srv.URL, "-var", "zip_path=" + zipPath}}
	r.mustRun("init", "-no-color", "-plugin-dir="+pluginDir)
	return r
}

// run runs one terraform command and returns its combined output and exit code.
func (r *terraformRun) run(args ...string) (string, int) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Dir, cmd.Env = r.dir, r.env
	if r.logPath != "" { // each command truncates its log: one file per command
		cmd.Env = append(cmd.Env[:len(cmd.Env):len(cmd.Env)], "TF_LOG_PATH="+r.logPath+"."+args[0])
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return string(out), exit.ExitCode()
		}
		r.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), 0
}

func (r *terraformRun) mustRun(args ...string) string {
	r.t.Helper()
	out, code := r.run(args...)
	if code != 0 {
		r.t.Fatalf("terraform %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// withVars is the command with the configuration's variables and no colours.
func (r *terraformRun) withVars(args ...string) []string {
	return append(append(args, "-no-color"), r.vars...)
}

// TestTerraform applies testdata/terraform with the AWS provider against iamlocal: apply, then
// a plan that finds no change (every read after create agrees with what was declared), the
// function answering through the SDK and through its URL, then destroy, which leaves nothing.
func TestTerraform(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	zipPath := filepath.Join(t.TempDir(), "function.zip")
	writeCode := func(answer string) {
		t.Helper()
		code := strings.ReplaceAll(terraformHandler, "ANSWER", answer)
		if err := os.WriteFile(zipPath, zipOf(t, map[string]string{"index.py": code}), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeCode("terraform")
	tf := newTerraformRun(t, srv, zipPath)
	tf.applyClean()
	checkTerraformApplied(t, srv, tf.outputs(), "terraform")
	// New code: source_code_hash changes, the function is updated and publishes version 2, the
	// alias follows it, and the next plan is clean again.
	writeCode("terraform again")
	tf.applyClean()
	outputs := tf.outputs()
	checkTerraformApplied(t, srv, outputs, "terraform again")
	if got := outputs["function_version"]; got != "2" {
		t.Errorf("version after the code changed = %q, want 2", got)
	}
	tf.mustRun(tf.withVars("destroy", "-auto-approve", "-input=false")...)
	checkTerraformDestroyed(t, srv)
}

// applyClean applies the configuration, then plans it again: the plan must find no change
// (exit 0 of -detailed-exitcode), every read after the writes agreeing with the configuration.
func (r *terraformRun) applyClean() {
	r.t.Helper()
	r.mustRun(r.withVars("apply", "-auto-approve", "-input=false")...)
	if out, code := r.run(r.withVars("plan", "-detailed-exitcode", "-input=false")...); code != 0 {
		r.t.Fatalf("plan after apply: exit %d, want 0 (no changes)\n%s", code, out)
	}
}

// outputs is `terraform output -json` as name to value.
func (r *terraformRun) outputs() map[string]string {
	r.t.Helper()
	var raw map[string]struct {
		Value any `json:"value"`
	}
	if err := json.Unmarshal([]byte(r.mustRun("output", "-json")), &raw); err != nil {
		r.t.Fatalf("terraform output -json: %v", err)
	}
	values := map[string]string{}
	for k, v := range raw {
		s, _ := v.Value.(string)
		values[k] = s
	}
	return values
}

// checkTerraformApplied calls what the configuration made: the function (unqualified and by its
// alias), its public URL without a signature, and STS with the access key Terraform created.
func checkTerraformApplied(t *testing.T, srv *emulatortest.Server, outputs map[string]string, answer string) {
	t.Helper()
	ctx := context.Background()
	lc := lambda.NewFromConfig(srv.AWSConfig(ctx))
	for _, qualifier := range []string{"", "live"} {
		in := &lambda.InvokeInput{FunctionName: aws.String(outputs["function_name"])}
		if qualifier != "" {
			in.Qualifier = aws.String(qualifier)
		}
		out, err := lc.Invoke(ctx, in)
		if err != nil {
			t.Fatalf("Invoke %q: %v", qualifier, err)
		}
		if out.FunctionError != nil || !strings.Contains(string(out.Payload), `\"from\": \"`+answer+`\"`) {
			t.Errorf("Invoke %q: error %v, payload %s", qualifier, aws.ToString(out.FunctionError), out.Payload)
		}
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Get(outputs["function_url"])
	if err != nil {
		t.Fatalf("GET %s: %v", outputs["function_url"], err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `{"from": "` + answer + `"}`; resp.StatusCode != http.StatusOK || string(body) != want {
		t.Errorf("GET %s = %d %s, want 200 %s", outputs["function_url"], resp.StatusCode, body, want)
	}
	who, err := sts.NewFromConfig(srv.ConfigFor(outputs["deployer_access_key_id"], outputs["deployer_secret_access_key"], "")).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the access key Terraform created: %v", err)
	}
	if got, want := aws.ToString(who.Arn), "arn:aws:iam::"+outputs["account_id"]+":user/tf-deployer"; got != want {
		t.Errorf("GetCallerIdentity = %s, want %s", got, want)
	}
	checkTerraformAppLogs(t, srv, answer)
}

// checkTerraformAppLogs sees the application log group's filters as Terraform declared them,
// and an ERROR line written to it counted by the metric filter.
func checkTerraformAppLogs(t *testing.T, srv *emulatortest.Server, round string) {
	t.Helper()
	ctx := context.Background()
	cfg := srv.AWSConfig(ctx)
	logs, cw := cloudwatchlogs.NewFromConfig(cfg), cloudwatch.NewFromConfig(cfg)
	group := aws.String("/tf/app")
	mf, err := logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: group})
	if err != nil || len(mf.MetricFilters) != 1 || aws.ToString(mf.MetricFilters[0].FilterName) != "tf-app-errors" {
		t.Errorf("DescribeMetricFilters: %+v %v", mf, err)
	}
	sf, err := logs.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: group})
	if err != nil || len(sf.SubscriptionFilters) != 1 || !strings.HasSuffix(aws.ToString(sf.SubscriptionFilters[0].DestinationArn), ":function:tf-function") {
		t.Errorf("DescribeSubscriptionFilters: %+v %v", sf, err)
	}
	rp, err := logs.DescribeResourcePolicies(ctx, &cloudwatchlogs.DescribeResourcePoliciesInput{})
	if err != nil || len(rp.ResourcePolicies) != 1 || aws.ToString(rp.ResourcePolicies[0].PolicyName) != "tf-delivery" {
		t.Errorf("DescribeResourcePolicies: %+v %v", rp, err)
	}
	stream := aws.String("round-" + strings.ReplaceAll(round, " ", "-"))
	if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream}); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Minute)
	if _, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream,
		LogEvents: []logstypes.InputLogEvent{{Timestamp: aws.Int64(at.UnixMilli()), Message: aws.String("ERROR in " + round)}}}); err != nil {
		t.Fatal(err)
	}
	stats, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("TF/App"), MetricName: aws.String("AppErrors"),
		StartTime: aws.Time(at.Add(-time.Hour)), EndTime: aws.Time(time.Now().Add(time.Minute)), Period: aws.Int32(3600),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSum}})
	if err != nil || len(stats.Datapoints) == 0 || aws.ToFloat64(stats.Datapoints[0].Sum) < 1 {
		t.Errorf("AppErrors after an ERROR line: %+v %v", stats, err)
	}
}

// checkTerraformDestroyed lists, through the SDK, every kind of thing the configuration made:
// after destroy there is none.
func checkTerraformDestroyed(t *testing.T, srv *emulatortest.Server) {
	t.Helper()
	ctx := context.Background()
	cfg := srv.AWSConfig(ctx)
	ic, lc, logs, cw := iam.NewFromConfig(cfg), lambda.NewFromConfig(cfg), cloudwatchlogs.NewFromConfig(cfg), cloudwatch.NewFromConfig(cfg)
	left := map[string]int{}
	if out, err := ic.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	} else {
		left["users"] = len(out.Users)
	}
	if out, err := ic.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Fatal(err)
	} else {
		left["roles"] = len(out.Roles)
	}
	if out, err := ic.ListGroups(ctx, &iam.ListGroupsInput{}); err != nil {
		t.Fatal(err)
	} else {
		left["groups"] = len(out.Groups)
	}
	if out, err := ic.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal}); err != nil {
		t.Fatal(err)
	} else {
		left["customer managed policies"] = len(out.Policies)
	}
	if out, err := lc.ListFunctions(ctx, &lambda.ListFunctionsInput{}); err != nil {
		t.Fatal(err)
	} else {
		left["functions"] = len(out.Functions)
	}
	if out, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
		t.Fatal(err)
	} else {
		left["log groups"] = len(out.LogGroups)
	}
	if out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}}); err != nil {
		t.Fatal(err)
	} else {
		left["metric alarms"], left["composite alarms"] = len(out.MetricAlarms), len(out.CompositeAlarms)
	}
	if out, err := cw.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{}); err != nil {
		t.Fatal(err)
	} else {
		left["dashboards"] = len(out.DashboardEntries)
	}
	if out, err := logs.DescribeResourcePolicies(ctx, &cloudwatchlogs.DescribeResourcePoliciesInput{}); err != nil {
		t.Fatal(err)
	} else {
		left["log resource policies"] = len(out.ResourcePolicies)
	}
	for kind, n := range left {
		if n != 0 {
			t.Errorf("after terraform destroy: %d %s left, want none", n, kind)
		}
	}
}

const terraformHandler = `
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"from": "ANSWER"})}
`
