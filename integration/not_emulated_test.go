package integration

import (
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// A client of a service iamlocal does not emulate gets an error of its own protocol that names
// the service and what iamlocal emulates, not IAM's XML (which it cannot parse) nor a retried 5xx.
func TestServicesNotEmulatedAnswerInTheirProtocol(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	out := runBoto3(t, srv, "test", "test", `
import boto3, botocore
calls = [
    ("s3", lambda c: c.list_buckets()),                 # REST-XML
    ("dynamodb", lambda c: c.list_tables()),            # JSON 1.0
    ("sqs", lambda c: c.list_queues()),                 # JSON 1.0 (botocore's SQS)
    ("cloudformation", lambda c: c.list_stacks()),      # Query
    ("ec2", lambda c: c.describe_instances()),          # EC2 Query
    ("secretsmanager", lambda c: c.list_secrets()),     # JSON 1.1
    ("apigatewayv2", lambda c: c.get_apis()),           # REST-JSON
]
for name, call in calls:
    client = boto3.client(name, config=botocore.config.Config(retries={"max_attempts": 1}))
    try:
        call(client)
        print(name, "SUCCEEDED")
    except botocore.exceptions.ClientError as e:
        err = e.response["Error"]
        print(name, e.response["ResponseMetadata"]["HTTPStatusCode"], err.get("Code"), "|", err.get("Message"))
`)
	lines := strings.Split(out, "\n")
	if len(lines) != 7 {
		t.Fatalf("boto3 printed:\n%s", out)
	}
	for _, line := range lines {
		name, rest, _ := strings.Cut(line, " ")
		signing := map[string]string{"apigatewayv2": "apigateway"}[name]
		if signing == "" {
			signing = name
		}
		want := "501 NotImplemented | iamlocal does not emulate the " + signing + " service; it emulates IAM, STS, Lambda, CloudWatch Logs, CloudWatch and IAM Access Analyzer."
		if !strings.HasPrefix(rest, want) {
			t.Errorf("%s: %s\nwant prefix %s", name, rest, want)
		}
	}
}
