package integration

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Event source mappings, code signing configs, provisioned concurrency and the recursion and
// runtime management settings through aws-sdk-go-v2, as the account's root user.

func TestLambdaEventSourceMappings(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t)
	f.create("esm")
	const queue = "arn:aws:sqs:us-east-1:123456789012:q"
	const stream = "arn:aws:kinesis:us-east-1:123456789012:stream/s"

	_, err := f.c.CreateEventSourceMapping(f.ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("esm"), EventSourceArn: aws.String(stream)})
	idErr(t, err, "InvalidParameterValueException", "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.")
	_, err = f.c.CreateEventSourceMapping(f.ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("missing"), EventSourceArn: aws.String(queue)})
	idErr(t, err, "InvalidParameterValueException", "Function does not exist")

	sqs := must[*lambda.CreateEventSourceMappingOutput](t)(f.c.CreateEventSourceMapping(f.ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("esm"), EventSourceArn: aws.String(queue)}))
	if aws.ToString(sqs.State) != "Creating" || aws.ToInt32(sqs.BatchSize) != 10 ||
		aws.ToString(sqs.FunctionArn) != "arn:aws:lambda:us-east-1:123456789012:function:esm" || sqs.LastModified == nil {
		t.Fatalf("create sqs = %+v", sqs)
	}
	kin := must[*lambda.CreateEventSourceMappingOutput](t)(f.c.CreateEventSourceMapping(f.ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("esm"), EventSourceArn: aws.String(stream), StartingPosition: lambdatypes.EventSourcePositionTrimHorizon,
		Enabled: aws.Bool(false)}))
	if aws.ToInt32(kin.BatchSize) != 100 || kin.StartingPosition != lambdatypes.EventSourcePositionTrimHorizon || aws.ToInt32(kin.MaximumRetryAttempts) != -1 {
		t.Fatalf("create kinesis = %+v", kin)
	}
	got := must[*lambda.GetEventSourceMappingOutput](t)(f.c.GetEventSourceMapping(f.ctx, &lambda.GetEventSourceMappingInput{UUID: kin.UUID}))
	if aws.ToString(got.State) != "Disabled" {
		t.Fatalf("get = %+v", got)
	}
	upd := must[*lambda.UpdateEventSourceMappingOutput](t)(f.c.UpdateEventSourceMapping(f.ctx, &lambda.UpdateEventSourceMappingInput{
		UUID: kin.UUID, Enabled: aws.Bool(true), BatchSize: aws.Int32(50)}))
	if aws.ToString(upd.State) != "Updating" || aws.ToInt32(upd.BatchSize) != 50 {
		t.Fatalf("update = %+v", upd)
	}
	var uuids []string
	p := lambda.NewListEventSourceMappingsPaginator(f.c, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String("esm"), MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		page := must[*lambda.ListEventSourceMappingsOutput](t)(p.NextPage(f.ctx))
		for _, m := range page.EventSourceMappings {
			uuids = append(uuids, aws.ToString(m.UUID))
		}
	}
	if len(uuids) != 2 {
		t.Fatalf("listed %v", uuids)
	}
	del := must[*lambda.DeleteEventSourceMappingOutput](t)(f.c.DeleteEventSourceMapping(f.ctx, &lambda.DeleteEventSourceMappingInput{UUID: sqs.UUID}))
	if aws.ToString(del.State) != "Deleting" {
		t.Fatalf("delete = %+v", del)
	}
	_, err = f.c.GetEventSourceMapping(f.ctx, &lambda.GetEventSourceMappingInput{UUID: sqs.UUID})
	idErr(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
}

func TestLambdaCodeSigningConfigs(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t)
	f.create("signed")
	created := must[*lambda.CreateCodeSigningConfigOutput](t)(f.c.CreateCodeSigningConfig(f.ctx, &lambda.CreateCodeSigningConfigInput{
		AllowedPublishers: &lambdatypes.AllowedPublishers{SigningProfileVersionArns: []string{"arn:aws:signer:us-east-1:123456789012:/signing-profiles/p/abcdef1234"}}}))
	arn := aws.ToString(created.CodeSigningConfig.CodeSigningConfigArn)
	if !regexp.MustCompile(`^arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-[0-9a-f]{17}$`).MatchString(arn) ||
		created.CodeSigningConfig.CodeSigningPolicies.UntrustedArtifactOnDeployment != lambdatypes.CodeSigningPolicyWarn {
		t.Fatalf("create = %+v", created.CodeSigningConfig)
	}
	missing := "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0"
	_, err := f.c.PutFunctionCodeSigningConfig(f.ctx, &lambda.PutFunctionCodeSigningConfigInput{FunctionName: aws.String("signed"), CodeSigningConfigArn: aws.String(missing)})
	idErr(t, err, "CodeSigningConfigNotFoundException", "The code signing configuration cannot be found. Check that the provided configuration is not deleted: "+missing+".")
	_, err = f.c.DeleteCodeSigningConfig(f.ctx, &lambda.DeleteCodeSigningConfigInput{CodeSigningConfigArn: aws.String(missing)})
	idErr(t, err, "ResourceNotFoundException", "The Lambda code signing configuration "+missing+" can not be found.")

	must[*lambda.PutFunctionCodeSigningConfigOutput](t)(f.c.PutFunctionCodeSigningConfig(f.ctx, &lambda.PutFunctionCodeSigningConfigInput{
		FunctionName: aws.String("signed"), CodeSigningConfigArn: aws.String(arn)}))
	got := must[*lambda.GetFunctionCodeSigningConfigOutput](t)(f.c.GetFunctionCodeSigningConfig(f.ctx, &lambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String("signed")}))
	if aws.ToString(got.CodeSigningConfigArn) != arn || aws.ToString(got.FunctionName) != "signed" {
		t.Fatalf("get function csc = %+v", got)
	}
	users := must[*lambda.ListFunctionsByCodeSigningConfigOutput](t)(f.c.ListFunctionsByCodeSigningConfig(f.ctx, &lambda.ListFunctionsByCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)}))
	if len(users.FunctionArns) != 1 || users.FunctionArns[0] != "arn:aws:lambda:us-east-1:123456789012:function:signed" {
		t.Fatalf("users = %+v", users.FunctionArns)
	}
	upd := must[*lambda.UpdateCodeSigningConfigOutput](t)(f.c.UpdateCodeSigningConfig(f.ctx, &lambda.UpdateCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn),
		Description: aws.String("now enforced"), CodeSigningPolicies: &lambdatypes.CodeSigningPolicies{UntrustedArtifactOnDeployment: lambdatypes.CodeSigningPolicyEnforce}}))
	if aws.ToString(upd.CodeSigningConfig.Description) != "now enforced" {
		t.Fatalf("update = %+v", upd.CodeSigningConfig)
	}
	must[*lambda.DeleteFunctionCodeSigningConfigOutput](t)(f.c.DeleteFunctionCodeSigningConfig(f.ctx, &lambda.DeleteFunctionCodeSigningConfigInput{FunctionName: aws.String("signed")}))
	must[*lambda.DeleteCodeSigningConfigOutput](t)(f.c.DeleteCodeSigningConfig(f.ctx, &lambda.DeleteCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)}))
	list := must[*lambda.ListCodeSigningConfigsOutput](t)(f.c.ListCodeSigningConfigs(f.ctx, &lambda.ListCodeSigningConfigsInput{}))
	if len(list.CodeSigningConfigs) != 0 {
		t.Fatalf("list = %+v", list.CodeSigningConfigs)
	}
}

func TestLambdaProvisionedConcurrencyAndSettings(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t)
	f.create("prov")
	must[*lambda.PublishVersionOutput](t)(f.c.PublishVersion(f.ctx, &lambda.PublishVersionInput{FunctionName: aws.String("prov")}))
	must[*lambda.CreateAliasOutput](t)(f.c.CreateAlias(f.ctx, &lambda.CreateAliasInput{FunctionName: aws.String("prov"), Name: aws.String("live"), FunctionVersion: aws.String("1")}))

	_, err := f.c.PutProvisionedConcurrencyConfig(f.ctx, &lambda.PutProvisionedConcurrencyConfigInput{FunctionName: aws.String("prov"), Qualifier: aws.String("$LATEST"),
		ProvisionedConcurrentExecutions: aws.Int32(1)})
	idErr(t, err, "InvalidParameterValueException", "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
	_, err = f.c.GetProvisionedConcurrencyConfig(f.ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("prov"), Qualifier: aws.String("live")})
	idErr(t, err, "ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function")

	put := must[*lambda.PutProvisionedConcurrencyConfigOutput](t)(f.c.PutProvisionedConcurrencyConfig(f.ctx, &lambda.PutProvisionedConcurrencyConfigInput{
		FunctionName: aws.String("prov"), Qualifier: aws.String("live"), ProvisionedConcurrentExecutions: aws.Int32(2)}))
	if put.Status != lambdatypes.ProvisionedConcurrencyStatusEnumReady || aws.ToInt32(put.AvailableProvisionedConcurrentExecutions) != 2 {
		t.Fatalf("put = %+v", put)
	}
	list := must[*lambda.ListProvisionedConcurrencyConfigsOutput](t)(f.c.ListProvisionedConcurrencyConfigs(f.ctx, &lambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String("prov")}))
	if len(list.ProvisionedConcurrencyConfigs) != 1 || aws.ToString(list.ProvisionedConcurrencyConfigs[0].FunctionArn) != "arn:aws:lambda:us-east-1:123456789012:function:prov:live" {
		t.Fatalf("list = %+v", list.ProvisionedConcurrencyConfigs)
	}
	_, err = f.c.PutProvisionedConcurrencyConfig(f.ctx, &lambda.PutProvisionedConcurrencyConfigInput{FunctionName: aws.String("prov"), Qualifier: aws.String("1"),
		ProvisionedConcurrentExecutions: aws.Int32(1)})
	idErr(t, err, "ResourceConflictException", "Version is pointed by a Provisioned Concurrency alias")
	must[*lambda.DeleteProvisionedConcurrencyConfigOutput](t)(f.c.DeleteProvisionedConcurrencyConfig(f.ctx, &lambda.DeleteProvisionedConcurrencyConfigInput{
		FunctionName: aws.String("prov"), Qualifier: aws.String("live")}))

	rec := must[*lambda.GetFunctionRecursionConfigOutput](t)(f.c.GetFunctionRecursionConfig(f.ctx, &lambda.GetFunctionRecursionConfigInput{FunctionName: aws.String("prov")}))
	if rec.RecursiveLoop != lambdatypes.RecursiveLoopTerminate {
		t.Fatalf("recursion default = %s", rec.RecursiveLoop)
	}
	must[*lambda.PutFunctionRecursionConfigOutput](t)(f.c.PutFunctionRecursionConfig(f.ctx, &lambda.PutFunctionRecursionConfigInput{FunctionName: aws.String("prov"),
		RecursiveLoop: lambdatypes.RecursiveLoopAllow}))
	rec = must[*lambda.GetFunctionRecursionConfigOutput](t)(f.c.GetFunctionRecursionConfig(f.ctx, &lambda.GetFunctionRecursionConfigInput{FunctionName: aws.String("prov")}))
	if rec.RecursiveLoop != lambdatypes.RecursiveLoopAllow {
		t.Fatalf("recursion = %s", rec.RecursiveLoop)
	}
	_, err = f.c.PutFunctionRecursionConfig(f.ctx, &lambda.PutFunctionRecursionConfigInput{FunctionName: aws.String("prov"), RecursiveLoop: "InvalidValue"})
	// AWS lists the set as [Terminate, Allow] (recorded); the model validator lists it in the
	// model's order, so only the code is checked here.
	idErr(t, err, "ValidationException", "")

	rt := must[*lambda.GetRuntimeManagementConfigOutput](t)(f.c.GetRuntimeManagementConfig(f.ctx, &lambda.GetRuntimeManagementConfigInput{FunctionName: aws.String("prov")}))
	if rt.UpdateRuntimeOn != lambdatypes.UpdateRuntimeOnAuto {
		t.Fatalf("runtime default = %+v", rt)
	}
	const rv = "arn:aws:lambda:us-east-1::runtime:0123456789abcdef"
	must[*lambda.PutRuntimeManagementConfigOutput](t)(f.c.PutRuntimeManagementConfig(f.ctx, &lambda.PutRuntimeManagementConfigInput{FunctionName: aws.String("prov"),
		Qualifier: aws.String("1"), UpdateRuntimeOn: lambdatypes.UpdateRuntimeOnManual, RuntimeVersionArn: aws.String(rv)}))
	rt = must[*lambda.GetRuntimeManagementConfigOutput](t)(f.c.GetRuntimeManagementConfig(f.ctx, &lambda.GetRuntimeManagementConfigInput{FunctionName: aws.String("prov"), Qualifier: aws.String("1")}))
	if rt.UpdateRuntimeOn != lambdatypes.UpdateRuntimeOnManual || aws.ToString(rt.RuntimeVersionArn) != rv {
		t.Fatalf("runtime = %+v", rt)
	}
}
