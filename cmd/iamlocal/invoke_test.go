package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// The command as a newcomer runs it, with a RELATIVE data directory (the default is
// ".iamlocal"): a function created through the SDK really runs. A relative sandbox path once
// sent runtimes looking for their bootstrap inside their own task directory.
func TestServeRelativeDataDirRunsFunctions(t *testing.T) {
	t.Parallel()
	cwd, _ := os.Getwd()
	rel, err := filepath.Rel(cwd, t.TempDir())
	if err != nil || filepath.IsAbs(rel) {
		t.Fatalf("relative data dir: %q %v", rel, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data-dir", rel}, func(string) string { return "" }, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url := listenRE.FindStringSubmatch(line)[1]
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), Retryer: func() aws.Retryer { return aws.NopRetryer{} },
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create("app.py")
	_, _ = f.Write([]byte("def handler(event, context):\n    return {'echo': event}\n"))
	_ = zw.Close()
	fns := lambda.NewFromConfig(cfg)
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("echo"), Role: role.Role.Arn,
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: buf.Bytes()},
		Timeout: aws.Int32(30)}); err != nil {
		t.Fatal(err)
	}
	callCtx, stop := context.WithTimeout(ctx, time.Minute)
	defer stop()
	out, err := fns.Invoke(callCtx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil || string(out.Payload) != `{"echo": {"a": 1}}` {
		t.Fatalf("invoke: %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
}
