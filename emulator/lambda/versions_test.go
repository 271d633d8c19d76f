package lambda

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// Versions as Lambda numbers them (recorded: TestLambdaVersions::test_version_lifecycle):
// 1, 2, ...; publishing an unchanged $LATEST returns the last version; $LATEST gets a new
// revision with each publish; CodeSha256 and RevisionId are preconditions.
func TestPublishVersion(t *testing.T) {
	e := newEnv(t)
	created := e.create("v")
	_, err := e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("v"), CodeSha256: ptr("somenonexistentsha256")})
	wantErr(t, err, "InvalidParameterValueException", "CodeSHA256 (somenonexistentsha256) is different from current CodeSHA256 in $LATEST ("+deref(created.CodeSha256)+"). Please try again with the CodeSHA256 in $LATEST.")
	_, err = e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("v"), RevisionId: ptr("wrong")})
	wantErr(t, err, "PreconditionFailedException", msgRevision)

	// The function's RevisionId changed when it turned Active (lifecycle.go).
	active, err := e.s.GetFunctionConfiguration(e.ctx, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: ptr("v")})
	ok(t, err)
	v1, err := e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("v"), Description: ptr("first"),
		CodeSha256: created.CodeSha256, RevisionId: active.RevisionId})
	ok(t, err)
	if deref(v1.Version) != "1" || deref(v1.FunctionArn) != fnARN+"v:1" || deref(v1.Description) != "first" || deref(v1.State) != "Active" {
		t.Fatalf("v1 = %+v", v1)
	}
	again, err := e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("v")})
	ok(t, err)
	if deref(again.Version) != "1" || deref(again.RevisionId) != deref(v1.RevisionId) {
		t.Errorf("unchanged publish = %s %s", deref(again.Version), deref(again.RevisionId))
	}
	latest, err := e.s.GetFunctionConfiguration(e.ctx, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: ptr("v")})
	ok(t, err)
	if deref(latest.RevisionId) == deref(active.RevisionId) {
		t.Error("$LATEST kept its revision across a publish")
	}
	_, err = e.s.UpdateFunctionConfiguration(e.ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("v"),
		RevisionId: created.RevisionId, Timeout: ptr(int32(10))})
	wantErr(t, err, "PreconditionFailedException", msgRevision)
	upd, err := e.s.UpdateFunctionConfiguration(e.ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("v"),
		RevisionId: latest.RevisionId, Timeout: ptr(int32(10)), Environment: &lambdaapi.Environment{Variables: map[string]string{"A": "1"}}})
	ok(t, err)
	if deref(upd.LastUpdateStatus) != "InProgress" || deref(upd.Timeout) != 10 || upd.Environment.Variables["A"] != "1" {
		t.Errorf("update = %+v", upd)
	}
	v2, err := e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("v")})
	ok(t, err)
	if deref(v2.Version) != "2" || deref(v2.Timeout) != 10 {
		t.Errorf("v2 = %s timeout %d", deref(v2.Version), deref(v2.Timeout))
	}
	// Version 1 keeps its configuration.
	got, err := e.s.GetFunctionConfiguration(e.ctx, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: ptr("v"), Qualifier: ptr("1")})
	ok(t, err)
	if deref(got.Timeout) != 3 || got.Environment != nil {
		t.Errorf("version 1 changed: %+v", got)
	}
	list, err := e.s.ListVersionsByFunction(e.ctx, &lambdaapi.ListVersionsByFunctionRequest{FunctionName: ptr("v")})
	ok(t, err)
	var arns []string
	for _, v := range list.Versions {
		arns = append(arns, deref(v.FunctionArn))
	}
	if len(arns) != 3 || arns[0] != fnARN+"v:$LATEST" || arns[1] != fnARN+"v:1" || arns[2] != fnARN+"v:2" {
		t.Errorf("versions = %v", arns)
	}
}

// UpdateFunctionCode replaces the zip; with Publish it answers the new version.
func TestUpdateFunctionCode(t *testing.T) {
	e := newEnv(t)
	created := e.create("code")
	zip := zipOf(t, map[string]string{"app.py": "def handler(e, c): return 2\n"})
	out, err := e.s.UpdateFunctionCode(e.ctx, &lambdaapi.UpdateFunctionCodeRequest{FunctionName: ptr("code"), ZipFile: zip, Publish: ptr(true)})
	ok(t, err)
	if deref(out.Version) != "1" || deref(out.CodeSha256) != codeSha256(zip) || deref(out.CodeSha256) == deref(created.CodeSha256) {
		t.Errorf("update code = %+v", out)
	}
	_, err = e.s.UpdateFunctionCode(e.ctx, &lambdaapi.UpdateFunctionCodeRequest{FunctionName: ptr("code"),
		ImageUri: ptr("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1")})
	wantErr(t, err, "InvalidParameterValueException", "Please don't provide ImageUri when updating a function with packageType Zip.")
	_, err = e.s.UpdateFunctionCode(e.ctx, &lambdaapi.UpdateFunctionCodeRequest{FunctionName: ptr("code:1"), ZipFile: zip})
	wantErr(t, err, "InvalidParameterValueException", msgUnqualifiedOnly)
}

// Aliases with routing weights, as recorded in TestLambdaAlias.
func TestAliases(t *testing.T) {
	e := newEnv(t)
	e.create("al", func(in *lambdaapi.CreateFunctionRequest) { in.Publish = ptr(true) })
	_, err := e.s.UpdateFunctionConfiguration(e.ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("al"), Description: ptr("two")})
	ok(t, err)
	_, err = e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("al")})
	ok(t, err)
	weights := func(w map[string]float64) *lambdaapi.AliasRoutingConfiguration {
		return &lambdaapi.AliasRoutingConfiguration{AdditionalVersionWeights: w}
	}
	cases := []struct {
		name      string
		in        lambdaapi.CreateAliasRequest
		code, msg string
	}{
		{"two weights", lambdaapi.CreateAliasRequest{Name: ptr("x"), FunctionVersion: ptr("1"), RoutingConfig: weights(map[string]float64{"2": 0.1, "3": 0.1})},
			"InvalidParameterValueException", "Number of items in AdditionalVersionWeights cannot be greater than 1"},
		{"same version", lambdaapi.CreateAliasRequest{Name: ptr("x"), FunctionVersion: ptr("1"), RoutingConfig: weights(map[string]float64{"1": 0.5})},
			"InvalidParameterValueException", "Invalid function version 1. Function version 1 is already included in routing configuration."},
		{"latest weighted", lambdaapi.CreateAliasRequest{Name: ptr("x"), FunctionVersion: ptr("$LATEST"), RoutingConfig: weights(map[string]float64{"1": 0.5})},
			"InvalidParameterValueException", "$LATEST is not supported for an alias pointing to more than 1 version"},
		{"missing version", lambdaapi.CreateAliasRequest{Name: ptr("x"), FunctionVersion: ptr("10")},
			"ResourceNotFoundException", "Function not found: " + fnARN + "al:10"},
		{"missing function", lambdaapi.CreateAliasRequest{FunctionName: ptr("al-unknown"), Name: ptr("x"), FunctionVersion: ptr("1")},
			"ResourceNotFoundException", "Function not found: " + fnARN + "al-unknown:1"},
	}
	for _, c := range cases {
		in := c.in
		if in.FunctionName == nil {
			in.FunctionName = ptr("al")
		}
		_, err := e.s.CreateAlias(e.ctx, &in)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		wantErr(t, err, c.code, c.msg)
	}
	live, err := e.s.CreateAlias(e.ctx, &lambdaapi.CreateAliasRequest{FunctionName: ptr("al"), Name: ptr("live"), FunctionVersion: ptr("1"),
		Description: ptr("d"), RoutingConfig: weights(map[string]float64{"2": 0.2})})
	ok(t, err)
	if deref(live.AliasArn) != fnARN+"al:live" || live.RoutingConfig.AdditionalVersionWeights["2"] != 0.2 {
		t.Fatalf("alias = %+v", live)
	}
	_, err = e.s.CreateAlias(e.ctx, &lambdaapi.CreateAliasRequest{FunctionName: ptr("al"), Name: ptr("live"), FunctionVersion: ptr("1")})
	wantErr(t, err, "ResourceConflictException", "Alias already exists: "+fnARN+"al:live")
	// GetFunction through the alias reports the alias's ARN and the version it points to.
	got, err := e.s.GetFunction(e.ctx, &lambdaapi.GetFunctionRequest{FunctionName: ptr("al:live")})
	ok(t, err)
	if deref(got.Configuration.FunctionArn) != fnARN+"al:live" || deref(got.Configuration.Version) != "1" {
		t.Errorf("via alias = %s %s", deref(got.Configuration.FunctionArn), deref(got.Configuration.Version))
	}
	_, err = e.s.UpdateAlias(e.ctx, &lambdaapi.UpdateAliasRequest{FunctionName: ptr("al"), Name: ptr("live"), RevisionId: ptr("old")})
	wantErr(t, err, "PreconditionFailedException", msgRevision)
	upd, err := e.s.UpdateAlias(e.ctx, &lambdaapi.UpdateAliasRequest{FunctionName: ptr("al"), Name: ptr("live"), RevisionId: live.RevisionId,
		FunctionVersion: ptr("2"), RoutingConfig: &lambdaapi.AliasRoutingConfiguration{}})
	ok(t, err)
	if deref(upd.FunctionVersion) != "2" || upd.RoutingConfig != nil || deref(upd.RevisionId) == deref(live.RevisionId) || deref(upd.Description) != "d" {
		t.Errorf("updated alias = %+v", upd)
	}
	_, err = e.s.UpdateAlias(e.ctx, &lambdaapi.UpdateAliasRequest{FunctionName: ptr("al"), Name: ptr("non-existent")})
	wantErr(t, err, "ResourceNotFoundException", "Alias not found: "+fnARN+"al:non-existent")
	_, err = e.s.GetAlias(e.ctx, &lambdaapi.GetAliasRequest{FunctionName: ptr("al"), Name: ptr("non-existent")})
	wantErr(t, err, "ResourceNotFoundException", "Cannot find alias arn: "+fnARN+"al:non-existent")
	_, err = e.s.CreateAlias(e.ctx, &lambdaapi.CreateAliasRequest{FunctionName: ptr("al"), Name: ptr("old"), FunctionVersion: ptr("1")})
	ok(t, err)
	list, err := e.s.ListAliases(e.ctx, &lambdaapi.ListAliasesRequest{FunctionName: ptr("al"), FunctionVersion: ptr("1")})
	ok(t, err)
	if len(list.Aliases) != 1 || deref(list.Aliases[0].Name) != "old" {
		t.Errorf("aliases of version 1 = %+v", list.Aliases)
	}
	_, err = e.s.DeleteFunction(e.ctx, &lambdaapi.DeleteFunctionRequest{FunctionName: ptr("al"), Qualifier: ptr("1")})
	wantErr(t, err, "ResourceConflictException", "Unable to delete version because the following aliases reference it: [old]")
	_, err = e.s.DeleteAlias(e.ctx, &lambdaapi.DeleteAliasRequest{FunctionName: ptr("al"), Name: ptr("old")})
	ok(t, err)
	_, err = e.s.DeleteFunction(e.ctx, &lambdaapi.DeleteFunctionRequest{FunctionName: ptr("al"), Qualifier: ptr("1")})
	ok(t, err)
}

// UpdateFunctionConfiguration: an empty Layers list or VpcConfig removes them; other members
// stay as they are.
func TestUpdateConfigurationClears(t *testing.T) {
	e := newEnv(t)
	layer, err := e.s.PublishLayerVersion(e.ctx, &lambdaapi.PublishLayerVersionRequest{LayerName: ptr("l"),
		Content: &lambdaapi.LayerVersionContentInput{ZipFile: zipOf(t, map[string]string{"x": "1"})}})
	ok(t, err)
	e.create("clear", func(in *lambdaapi.CreateFunctionRequest) {
		in.Layers = []string{deref(layer.LayerVersionArn)}
		in.VpcConfig = &lambdaapi.VpcConfig{SubnetIds: []string{"subnet-1"}, SecurityGroupIds: []string{"sg-1"}}
		in.Timeout = ptr(int32(30))
	})
	out, err := e.s.UpdateFunctionConfiguration(e.ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("clear"),
		Layers: []string{}, VpcConfig: &lambdaapi.VpcConfig{SubnetIds: []string{}, SecurityGroupIds: []string{}}})
	ok(t, err)
	if len(out.Layers) != 0 || out.VpcConfig != nil || deref(out.Timeout) != 30 {
		t.Errorf("after clearing: layers %v vpc %v timeout %d", out.Layers, out.VpcConfig, deref(out.Timeout))
	}
}

// Resolve gives an executor the version an alias points to, with the alias.
func TestResolveForExecutor(t *testing.T) {
	e := newEnv(t)
	e.create("run", func(in *lambdaapi.CreateFunctionRequest) { in.Publish = ptr(true) })
	_, err := e.s.CreateAlias(e.ctx, &lambdaapi.CreateAliasRequest{FunctionName: ptr("run"), Name: ptr("prod"), FunctionVersion: ptr("1")})
	ok(t, err)
	err = e.db.ViewRegion(acct, region, func(tx *storage.Tx) error {
		r, err := Resolve(tx, arn.Scope{Partition: "aws", Region: region}, fnARN+"run:prod", "")
		if err != nil {
			return err
		}
		if r.ARN != fnARN+"run:prod" || r.Version.Version != "1" || r.Alias == nil || r.Version.Handler != "app.handler" {
			t.Errorf("resolved = %+v", r)
		}
		_, err = Resolve(tx, arn.Scope{Partition: "aws", Region: region}, "run", "nope")
		wantErr(t, err, "ResourceNotFoundException", "Function not found: "+fnARN+"run:nope")
		return nil
	})
	ok(t, err)
}
