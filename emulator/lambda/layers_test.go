package lambda

import (
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
)

var urlPattern = regexp.MustCompile(`^https://[a-z0-9]{32}\.lambda-url\.us-east-1\.on\.aws/$`)

// Layers: versions numbered 1, 2, ...; functions reference them with their size; the layer
// version policy texts as recorded (TestLambdaLayer).
func TestLayers(t *testing.T) {
	e := newEnv(t)
	publish := func() *lambdaapi.PublishLayerVersionResponse {
		out, err := e.s.PublishLayerVersion(e.ctx, &lambdaapi.PublishLayerVersionRequest{LayerName: ptr("deps"),
			Content:            &lambdaapi.LayerVersionContentInput{ZipFile: zipOf(t, map[string]string{"python/x.py": "X = 1\n"})},
			CompatibleRuntimes: []string{"python3.12"}})
		ok(t, err)
		return out
	}
	v1, v2 := publish(), publish()
	if deref(v1.Version) != 1 || deref(v2.Version) != 2 || deref(v2.LayerVersionArn) != "arn:aws:lambda:us-east-1:123456789012:layer:deps:2" ||
		v1.CompatibleArchitectures == nil {
		t.Fatalf("published %+v %+v", v1, v2)
	}
	fn := e.create("with-layer", func(in *lambdaapi.CreateFunctionRequest) { in.Layers = []string{deref(v1.LayerVersionArn)} })
	if len(fn.Layers) != 1 || deref(fn.Layers[0].CodeSize) != deref(v1.Content.CodeSize) {
		t.Errorf("function layers = %+v", fn.Layers)
	}
	_, err := e.s.UpdateFunctionConfiguration(e.ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("with-layer"),
		Layers: []string{deref(v1.LayerVersionArn), deref(v2.LayerVersionArn)}})
	wantErr(t, err, "InvalidParameterValueException", "Two different versions of the same layer are not allowed to be referenced in the same function. "+
		deref(v1.LayerVersionArn)+" and "+deref(v2.LayerVersionArn)+" are versions of the same layer.")
	_, err = e.s.GetLayerVersion(e.ctx, &lambdaapi.GetLayerVersionRequest{LayerName: ptr("deps"), VersionNumber: ptr(int64(0))})
	wantErr(t, err, "InvalidParameterValueException", "Layer Version Cannot be less than 1")
	_, err = e.s.GetLayerVersion(e.ctx, &lambdaapi.GetLayerVersionRequest{LayerName: ptr("deps"), VersionNumber: ptr(int64(9))})
	wantErr(t, err, "ResourceNotFoundException", msgNoResource)
	byARN, err := e.s.GetLayerVersionByArn(e.ctx, &lambdaapi.GetLayerVersionByArnRequest{Arn: v2.LayerVersionArn})
	ok(t, err)
	if deref(byARN.Version) != 2 {
		t.Errorf("by ARN = %+v", byARN)
	}
	versions, err := e.s.ListLayerVersions(e.ctx, &lambdaapi.ListLayerVersionsRequest{LayerName: ptr("deps")})
	ok(t, err)
	if len(versions.LayerVersions) != 2 || deref(versions.LayerVersions[0].Version) != 2 {
		t.Errorf("versions = %+v", versions.LayerVersions)
	}
	layers, err := e.s.ListLayers(e.ctx, &lambdaapi.ListLayersRequest{CompatibleRuntime: ptr("python3.12")})
	ok(t, err)
	if len(layers.Layers) != 1 || deref(layers.Layers[0].LatestMatchingVersion.Version) != 2 {
		t.Errorf("layers = %+v", layers.Layers)
	}
	none, err := e.s.ListLayers(e.ctx, &lambdaapi.ListLayersRequest{CompatibleRuntime: ptr("nodejs22.x")})
	ok(t, err)
	if len(none.Layers) != 0 {
		t.Errorf("filtered layers = %+v", none.Layers)
	}
	perm, err := e.s.AddLayerVersionPermission(e.ctx, &lambdaapi.AddLayerVersionPermissionRequest{LayerName: ptr("deps"), VersionNumber: ptr(int64(1)),
		StatementId: ptr("s1"), Action: ptr("lambda:GetLayerVersion"), Principal: ptr("*")})
	ok(t, err)
	if want := `{"Sid":"s1","Effect":"Allow","Principal":"*","Action":"lambda:GetLayerVersion","Resource":"arn:aws:lambda:us-east-1:123456789012:layer:deps:1"}`; deref(perm.Statement) != want {
		t.Errorf("statement = %s", deref(perm.Statement))
	}
	_, err = e.s.AddLayerVersionPermission(e.ctx, &lambdaapi.AddLayerVersionPermissionRequest{LayerName: ptr("deps"), VersionNumber: ptr(int64(1)),
		StatementId: ptr("s1"), Action: ptr("lambda:GetLayerVersion"), Principal: ptr("*")})
	wantErr(t, err, "ResourceConflictException", "The statement id (s1) provided already exists. Please provide a new statement id, or remove the existing statement.")
	_, err = e.s.AddLayerVersionPermission(e.ctx, &lambdaapi.AddLayerVersionPermissionRequest{LayerName: ptr("deps"), VersionNumber: ptr(int64(1)),
		StatementId: ptr("s2"), Action: ptr("lambda:GetLayerVersion"), Principal: ptr("*"), RevisionId: ptr("wrong")})
	wantErr(t, err, "PreconditionFailedException", msgLayerRevision)
	_, err = e.s.AddLayerVersionPermission(e.ctx, &lambdaapi.AddLayerVersionPermissionRequest{LayerName: ptr("deps"), VersionNumber: ptr(int64(7)),
		StatementId: ptr("s2"), Action: ptr("lambda:GetLayerVersion"), Principal: ptr("*")})
	wantErr(t, err, "ResourceNotFoundException", "Layer version arn:aws:lambda:us-east-1:123456789012:layer:deps:7 does not exist.")
	pol, err := e.s.GetLayerVersionPolicy(e.ctx, &lambdaapi.GetLayerVersionPolicyRequest{LayerName: ptr("deps"), VersionNumber: ptr(int64(1))})
	ok(t, err)
	if deref(pol.RevisionId) != deref(perm.RevisionId) {
		t.Errorf("policy revision %s, want %s", deref(pol.RevisionId), deref(perm.RevisionId))
	}
	_, err = e.s.RemoveLayerVersionPermission(e.ctx, &lambdaapi.RemoveLayerVersionPermissionRequest{LayerName: ptr("deps"), VersionNumber: ptr(int64(1)), StatementId: ptr("doesnotexist")})
	wantErr(t, err, "ResourceNotFoundException", "Statement doesnotexist is not found in resource policy.")
	_, err = e.s.RemoveLayerVersionPermission(e.ctx, &lambdaapi.RemoveLayerVersionPermissionRequest{LayerName: ptr("deps"), VersionNumber: ptr(int64(1)), StatementId: ptr("s1")})
	ok(t, err)
	// Deleting is idempotent; numbering continues after deletions.
	for i := 0; i < 2; i++ {
		_, err = e.s.DeleteLayerVersion(e.ctx, &lambdaapi.DeleteLayerVersionRequest{LayerName: ptr("deps"), VersionNumber: ptr(int64(2))})
		ok(t, err)
	}
	if v3 := publish(); deref(v3.Version) != 3 {
		t.Errorf("after delete, version %d", deref(v3.Version))
	}
}

// ListLayers and ListLayerVersions filter by CompatibleRuntime and CompatibleArchitecture,
// both at once when both are given: a version matches when it declares the runtime and the
// architecture asked for, and ListLayers names each layer's newest matching version as its
// LatestMatchingVersion (the ListLayers and ListLayerVersions API reference).
func TestLayerCompatibilityFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	zip := zipOf(t, map[string]string{"python/x.py": "X = 1\n"})
	publish := func(layer string, runtimes, archs []string) {
		_, err := e.s.PublishLayerVersion(e.ctx, &lambdaapi.PublishLayerVersionRequest{LayerName: ptr(layer),
			Content: &lambdaapi.LayerVersionContentInput{ZipFile: zip}, CompatibleRuntimes: runtimes, CompatibleArchitectures: archs})
		ok(t, err)
	}
	publish("multi", []string{"python3.12"}, []string{"x86_64"})              // 1
	publish("multi", []string{"python3.12", "nodejs22.x"}, []string{"arm64"}) // 2
	publish("multi", nil, nil)                                                // 3
	publish("other", []string{"nodejs22.x"}, []string{"x86_64", "arm64"})     // 1
	cases := []struct {
		name          string
		runtime, arch string
		versions      []int64          // ListLayerVersions of "multi", newest first
		latest        map[string]int64 // ListLayers: layer -> LatestMatchingVersion
	}{
		{"no filter", "", "", []int64{3, 2, 1}, map[string]int64{"multi": 3, "other": 1}},
		{"runtime", "python3.12", "", []int64{2, 1}, map[string]int64{"multi": 2}},
		{"architecture", "", "x86_64", []int64{1}, map[string]int64{"multi": 1, "other": 1}},
		{"both", "nodejs22.x", "arm64", []int64{2}, map[string]int64{"multi": 2, "other": 1}},
		{"both, on one version", "python3.12", "arm64", []int64{2}, map[string]int64{"multi": 2}},
		{"nothing", "ruby3.3", "", nil, map[string]int64{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vs, err := e.s.ListLayerVersions(e.ctx, &lambdaapi.ListLayerVersionsRequest{LayerName: ptr("multi"),
				CompatibleRuntime: ptrOrNil(c.runtime), CompatibleArchitecture: ptrOrNil(c.arch)})
			ok(t, err)
			var got []int64
			for _, v := range vs.LayerVersions {
				got = append(got, deref(v.Version))
			}
			if !slices.Equal(got, c.versions) {
				t.Errorf("ListLayerVersions = %v, want %v", got, c.versions)
			}
			ls, err := e.s.ListLayers(e.ctx, &lambdaapi.ListLayersRequest{CompatibleRuntime: ptrOrNil(c.runtime), CompatibleArchitecture: ptrOrNil(c.arch)})
			ok(t, err)
			latest := map[string]int64{}
			for _, l := range ls.Layers {
				latest[deref(l.LayerName)] = deref(l.LatestMatchingVersion.Version)
			}
			if !maps.Equal(latest, c.latest) {
				t.Errorf("ListLayers = %v, want %v", latest, c.latest)
			}
		})
	}
}
