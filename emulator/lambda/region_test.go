package lambda

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/storage"
)

const euRegion = "eu-west-1"

// in is the env's caller making requests in region.
func (e *env) in(region string) context.Context {
	return reqctx.With(context.Background(), &reqctx.Info{Now: testNow, Region: region, Service: "lambda",
		Caller: reqctx.Caller{Type: reqctx.Account, Account: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}})
}

// createIn creates a function named name in region whose code says which region it is.
func (e *env) createIn(region, name string) *lambdaapi.FunctionConfiguration {
	e.t.Helper()
	in := e.createReq(name)
	in.Code.ZipFile = zipOf(e.t, map[string]string{"app.py": "REGION = '" + region + "'\n"})
	out, err := e.s.CreateFunction(e.in(region), in)
	ok(e.t, err)
	return out
}

func regionARN(region, name string) string {
	return "arn:aws:lambda:" + region + ":" + acct + ":function:" + name
}

// A function belongs to the region it was created in: listed, read and invoked there only,
// under ARNs of that region; a function of the same name in another region is another
// function, with its own code; deleting one leaves the other.
func TestFunctionsAreRegional(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rr := &recordingRunner{}
	e.s.hooks.Runner = rr
	us, eu := e.createIn(region, "same"), e.createIn(euRegion, "same")
	e.createIn(euRegion, "eu-only")
	if deref(us.CodeSha256) == deref(eu.CodeSha256) {
		t.Fatal("the two functions' code should differ")
	}
	tests := []struct {
		region string
		names  string
		same   *lambdaapi.FunctionConfiguration
	}{
		{region, "[same]", us},
		{euRegion, "[eu-only same]", eu},
	}
	for _, tc := range tests {
		ctx := e.in(tc.region)
		list, err := e.s.ListFunctions(ctx, &lambdaapi.ListFunctionsRequest{})
		ok(t, err)
		var names []string
		for _, f := range list.Functions {
			names = append(names, deref(f.FunctionName))
			if want := regionARN(tc.region, deref(f.FunctionName)); deref(f.FunctionArn) != want {
				t.Errorf("%s: listed ARN %s, want %s", tc.region, deref(f.FunctionArn), want)
			}
		}
		if fmt.Sprint(names) != tc.names {
			t.Errorf("ListFunctions in %s = %v, want %s", tc.region, names, tc.names)
		}
		got, err := e.s.GetFunction(ctx, &lambdaapi.GetFunctionRequest{FunctionName: ptr("same")})
		ok(t, err)
		if deref(got.Configuration.CodeSha256) != deref(tc.same.CodeSha256) || deref(got.Configuration.FunctionArn) != regionARN(tc.region, "same") {
			t.Errorf("GetFunction(same) in %s = %s %s", tc.region, deref(got.Configuration.FunctionArn), deref(got.Configuration.CodeSha256))
		}
		_, err = e.s.Invoke(ctx, &lambdaapi.InvocationRequest{FunctionName: ptr("same"), Payload: []byte("{}")})
		ok(t, err)
		if rr.fn.Region != tc.region || rr.fn.ARN != regionARN(tc.region, "same") || codeSha256(rr.fn.Code) != deref(tc.same.CodeSha256) {
			t.Errorf("Invoke(same) in %s ran %s in %s with code %s", tc.region, rr.fn.ARN, rr.fn.Region, codeSha256(rr.fn.Code))
		}
	}
	// A name of the other region's function answers not found; its ARN, Lambda's text for
	// another region (recorded: test_get_function_wrong_region).
	_, err := e.s.GetFunction(e.in(region), &lambdaapi.GetFunctionRequest{FunctionName: ptr("eu-only")})
	wantErr(t, err, "ResourceNotFoundException", "Function not found: "+regionARN(region, "eu-only"))
	_, err = e.s.GetFunction(e.in(region), &lambdaapi.GetFunctionRequest{FunctionName: ptr(regionARN(euRegion, "eu-only"))})
	wantErr(t, err, "ResourceNotFoundException", "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')")
	_, err = e.s.Invoke(e.in(region), &lambdaapi.InvocationRequest{FunctionName: ptr(regionARN(euRegion, "same"))})
	wantErr(t, err, "ResourceNotFoundException", "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')")

	_, err = e.s.DeleteFunction(e.in(euRegion), &lambdaapi.DeleteFunctionRequest{FunctionName: ptr("same")})
	ok(t, err)
	_, err = e.s.GetFunction(e.in(region), &lambdaapi.GetFunctionRequest{FunctionName: ptr("same")})
	ok(t, err)
	// The us-east-1 function's package survives the deletion of the same-named one.
	ok(t, e.db.ViewRegion(acct, region, func(tx *storage.Tx) error {
		r, err := Resolve(tx, arn.Scope{Partition: "aws", Region: region, Account: acct}, "same", "")
		if err != nil {
			return err
		}
		_, err = storage.LambdaCode(tx, r.Version.CodeKey)
		return err
	}))
}

// Lambda's quotas apply per Region ("Lambda quotas": "Quotas for concurrent executions and
// storage apply per AWS Region"): GetAccountSettings counts the functions and code of the
// request's region, and reserved concurrency is taken from that region's pool.
func TestAccountSettingsAndConcurrencyPerRegion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createIn(region, "a")
	e.createIn(euRegion, "b")
	e.createIn(euRegion, "c")
	for _, r := range []string{region, euRegion} {
		_, err := e.s.PutFunctionConcurrency(e.in(r), &lambdaapi.PutFunctionConcurrencyRequest{
			FunctionName: ptr(map[string]string{region: "a", euRegion: "b"}[r]), ReservedConcurrentExecutions: ptr(int32(900))})
		ok(t, err) // 900 of each region's 1000, leaving its 100 unreserved
	}
	_, err := e.s.PutFunctionConcurrency(e.in(euRegion), &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: ptr("c"), ReservedConcurrentExecutions: ptr(int32(1))})
	wantErr(t, err, "InvalidParameterValueException", "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
	tests := []struct {
		region string
		count  int64
	}{
		{region, 1},
		{euRegion, 2},
		{"ap-southeast-2", 0},
	}
	for _, tc := range tests {
		out, err := e.s.GetAccountSettings(e.in(tc.region), &lambdaapi.GetAccountSettingsRequest{})
		ok(t, err)
		unreserved := map[bool]int32{true: 100, false: 1000}[tc.count > 0]
		if deref(out.AccountUsage.FunctionCount) != tc.count || deref(out.AccountLimit.UnreservedConcurrentExecutions) != unreserved ||
			(deref(out.AccountUsage.TotalCodeSize) > 0) != (tc.count > 0) {
			t.Errorf("%s: functions %d (want %d), unreserved %d (want %d), code size %d", tc.region, deref(out.AccountUsage.FunctionCount), tc.count,
				deref(out.AccountLimit.UnreservedConcurrentExecutions), unreserved, deref(out.AccountUsage.TotalCodeSize))
		}
	}
}

// Layers are regional: versions are numbered per region, a layer is listed and read in its
// own region only, and a function refuses a layer of another region with Lambda's recorded
// text.
func TestLayersAreRegional(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	publish := func(r string) *lambdaapi.PublishLayerVersionResponse {
		t.Helper()
		out, err := e.s.PublishLayerVersion(e.in(r), &lambdaapi.PublishLayerVersionRequest{LayerName: ptr("lib"),
			Content: &lambdaapi.LayerVersionContentInput{ZipFile: zipOf(t, map[string]string{"python/lib.py": "R = '" + r + "'\n"})}})
		ok(t, err)
		return out
	}
	eu1, eu2, us1 := publish(euRegion), publish(euRegion), publish(region)
	if deref(eu2.Version) != 2 || deref(us1.Version) != 1 || deref(us1.LayerVersionArn) != "arn:aws:lambda:us-east-1:"+acct+":layer:lib:1" ||
		deref(eu1.LayerVersionArn) != "arn:aws:lambda:eu-west-1:"+acct+":layer:lib:1" {
		t.Fatalf("versions: eu %s %s, us %s", deref(eu1.LayerVersionArn), deref(eu2.LayerVersionArn), deref(us1.LayerVersionArn))
	}
	versions, err := e.s.ListLayerVersions(e.in(region), &lambdaapi.ListLayerVersionsRequest{LayerName: ptr("lib")})
	ok(t, err)
	if len(versions.LayerVersions) != 1 {
		t.Errorf("us-east-1 lists %d versions of lib, want 1", len(versions.LayerVersions))
	}
	got, err := e.s.GetLayerVersionByArn(e.in(euRegion), &lambdaapi.GetLayerVersionByArnRequest{Arn: eu1.LayerVersionArn})
	ok(t, err)
	if deref(got.Content.CodeSha256) != deref(eu1.Content.CodeSha256) {
		t.Errorf("eu-west-1 lib:1 = %s, want %s", deref(got.Content.CodeSha256), deref(eu1.Content.CodeSha256))
	}
	// From us-east-1, the eu-west-1 ARNs name layers this region does not hold.
	cross := []struct {
		name string
		call func() error
	}{
		{"GetLayerVersionByArn", func() error {
			_, err := e.s.GetLayerVersionByArn(e.in(region), &lambdaapi.GetLayerVersionByArnRequest{Arn: eu2.LayerVersionArn})
			return err
		}},
		{"GetLayerVersion", func() error {
			_, err := e.s.GetLayerVersion(e.in(region), &lambdaapi.GetLayerVersionRequest{LayerName: eu2.LayerArn, VersionNumber: ptr(int64(2))})
			return err
		}},
		{"PublishLayerVersion", func() error {
			_, err := e.s.PublishLayerVersion(e.in(region), &lambdaapi.PublishLayerVersionRequest{LayerName: eu2.LayerArn,
				Content: &lambdaapi.LayerVersionContentInput{ZipFile: zipOf(t, map[string]string{"python/x.py": "X = 1\n"})}})
			return err
		}},
	}
	for _, c := range cross {
		wantErr(t, c.call(), "ResourceNotFoundException", msgNoResource)
	}
	_, err = e.s.GetLayerVersionPolicy(e.in(region), &lambdaapi.GetLayerVersionPolicyRequest{LayerName: eu2.LayerArn, VersionNumber: ptr(int64(2))})
	wantErr(t, err, "ResourceNotFoundException", "Layer version "+deref(eu2.LayerVersionArn)+" does not exist.")
	foreign, err := e.s.ListLayerVersions(e.in(region), &lambdaapi.ListLayerVersionsRequest{LayerName: eu2.LayerArn})
	ok(t, err)
	if len(foreign.LayerVersions) != 0 {
		t.Errorf("us-east-1 lists %d versions of the eu-west-1 layer", len(foreign.LayerVersions))
	}
	_, err = e.s.DeleteLayerVersion(e.in(region), &lambdaapi.DeleteLayerVersionRequest{LayerName: eu2.LayerArn, VersionNumber: ptr(int64(2))})
	ok(t, err) // a no-op, as for any missing version
	_, err = e.s.GetLayerVersionByArn(e.in(euRegion), &lambdaapi.GetLayerVersionByArnRequest{Arn: eu2.LayerVersionArn})
	ok(t, err)

	in := e.createReq("f")
	in.Layers = []string{deref(eu1.LayerVersionArn)}
	_, err = e.s.CreateFunction(e.in(region), in)
	wantErr(t, err, "InvalidParameterValueException", "Layers are not in the same region as the function. Layers are expected to be in region us-east-1.")
	f, err := e.s.CreateFunction(e.in(euRegion), in)
	ok(t, err)
	if len(f.Layers) != 1 || deref(f.Layers[0].CodeSize) != deref(eu1.Content.CodeSize) {
		t.Errorf("eu-west-1 function layers %+v", f.Layers)
	}
}

// Event source mappings and code signing configs are regional too.
func TestMappingsAndSigningConfigsAreRegional(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createIn(euRegion, "f")
	esm, err := e.s.CreateEventSourceMapping(e.in(euRegion), &lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f"),
		EventSourceArn: ptr("arn:aws:sqs:eu-west-1:" + acct + ":q")})
	ok(t, err)
	csc, err := e.s.CreateCodeSigningConfig(e.in(euRegion), &lambdaapi.CreateCodeSigningConfigRequest{
		AllowedPublishers: &lambdaapi.AllowedPublishers{SigningProfileVersionArns: []string{"arn:aws:signer:eu-west-1:" + acct + ":/signing-profiles/p/1"}}})
	ok(t, err)
	if !strings.HasPrefix(deref(esm.EventSourceMappingArn), "arn:aws:lambda:eu-west-1:") || !strings.HasPrefix(deref(csc.CodeSigningConfig.CodeSigningConfigArn), "arn:aws:lambda:eu-west-1:") {
		t.Errorf("ARNs %s %s", deref(esm.EventSourceMappingArn), deref(csc.CodeSigningConfig.CodeSigningConfigArn))
	}
	for _, tc := range []struct {
		region string
		n      int
	}{{euRegion, 1}, {region, 0}} {
		esms, err := e.s.ListEventSourceMappings(e.in(tc.region), &lambdaapi.ListEventSourceMappingsRequest{})
		ok(t, err)
		cscs, err := e.s.ListCodeSigningConfigs(e.in(tc.region), &lambdaapi.ListCodeSigningConfigsRequest{})
		ok(t, err)
		if len(esms.EventSourceMappings) != tc.n || len(cscs.CodeSigningConfigs) != tc.n {
			t.Errorf("%s: %d mappings and %d signing configs, want %d", tc.region, len(esms.EventSourceMappings), len(cscs.CodeSigningConfigs), tc.n)
		}
	}
	_, err = e.s.GetEventSourceMapping(e.in(region), &lambdaapi.GetEventSourceMappingRequest{UUID: esm.UUID})
	wantErr(t, err, "ResourceNotFoundException", "")
}

// The authorizer's hooks read the function its ARN names, in the ARN's region, from the
// authorizer's account-wide transaction; the code download URL carries the region and serves
// that region's package.
func TestAuthorizerHooksAndCodeDownloadReadTheARNsRegion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.s.hooks.Endpoint = func() string { return "http://127.0.0.1:4566" }
	for _, r := range []string{region, euRegion} {
		in := e.createReq("f")
		in.Code.ZipFile = zipOf(t, map[string]string{"app.py": "R = '" + r + "'\n"})
		in.Tags = map[string]string{"region": r}
		_, err := e.s.CreateFunction(e.in(r), in)
		ok(t, err)
		_, err = e.s.AddPermission(e.in(r), &lambdaapi.AddPermissionRequest{FunctionName: ptr("f"), StatementId: ptr("sid-" + r),
			Action: ptr("lambda:InvokeFunction"), Principal: ptr("*")})
		ok(t, err)
	}
	ok(t, e.db.View(acct, func(tx *storage.Tx) error {
		for _, r := range []string{region, euRegion} {
			doc, err := FunctionPolicy(tx, regionARN(r, "f"))
			if err != nil {
				return err
			}
			tags, err := FunctionTags(tx, regionARN(r, "f")+":$LATEST")
			if err != nil {
				return err
			}
			if !strings.Contains(doc, `"Sid":"sid-`+r+`"`) || tags["region"] != r {
				t.Errorf("hooks for the %s ARN: policy %s, tags %v", r, doc, tags)
			}
		}
		// A bare name names no region in an account-wide transaction: nothing to read.
		if doc, err := FunctionPolicy(tx, "f"); doc != "" || err != nil {
			t.Errorf("FunctionPolicy(f) without a region = %q, %v", doc, err)
		}
		if doc, _ := FunctionPolicy(tx, regionARN("ap-southeast-2", "f")); doc != "" {
			t.Errorf("FunctionPolicy in a region without the function = %q", doc)
		}
		return nil
	}))
	for _, r := range []string{region, euRegion} {
		got, err := e.s.GetFunction(e.in(r), &lambdaapi.GetFunctionRequest{FunctionName: ptr("f")})
		ok(t, err)
		loc := deref(got.Code.Location)
		prefix := "http://127.0.0.1:4566" + CodePath + acct + "/" + r + "/"
		if !strings.HasPrefix(loc, prefix) {
			t.Fatalf("%s: Code.Location %s, want it under %s", r, loc, prefix)
		}
		key, token, _ := strings.Cut(strings.TrimPrefix(loc, prefix), "/")
		zip, err := e.s.Code(acct, r, key, token)
		if err != nil || codeSha256(zip) != deref(got.Configuration.CodeSha256) {
			t.Errorf("%s: downloaded code %s, %v", r, codeSha256(zip), err)
		}
		other := map[string]string{region: euRegion, euRegion: region}[r]
		if _, err := e.s.Code(acct, other, key, e.s.downloadToken(acct, other, key)); err == nil {
			t.Errorf("the %s package is served from %s", r, other)
		}
	}
	if _, err := e.s.Code(acct, "", "anything", e.s.downloadToken(acct, "", "anything")); err == nil {
		t.Error("a code download without a region was served")
	}
}
