package lambda

import (
	"context"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
)

// at is e's request context at testNow+d.
func (e *env) at(d time.Duration) context.Context {
	info := *reqctx.From(e.ctx)
	info.Now = testNow.Add(d)
	return reqctx.With(context.Background(), &info)
}

// The RevisionId of $LATEST through a function's state changes, as Lambda gives them
// (recorded: TestLambdaFunction::test_function_lifecycle, six RevisionIds for create, Active,
// configuration update, its success, code update and its success), and the updates refused
// while a change is under way (recorded: TestLambdaFunction::test_lambda_concurrent_code_updates,
// update-during-in-progress-update-exc).
func TestRevisionsThroughStateChanges(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(o *Options) { o.StateTransition = time.Second })
	created := e.create("f")
	if deref(created.State) != "Pending" {
		t.Fatalf("create answered State %q", deref(created.State))
	}
	inProgress := "The operation cannot be performed at this time. An update is in progress for resource: " + fnARN + "f"
	get := func(ctx context.Context) (*lambdaapi.FunctionConfiguration, error) {
		return e.s.GetFunctionConfiguration(ctx, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: ptr("f")})
	}
	updateConfig := func(ctx context.Context) (*lambdaapi.FunctionConfiguration, error) {
		return e.s.UpdateFunctionConfiguration(ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("f"), Timeout: ptr(int32(9))})
	}
	updateCode := func(ctx context.Context) (*lambdaapi.FunctionConfiguration, error) {
		return e.s.UpdateFunctionCode(ctx, &lambdaapi.UpdateFunctionCodeRequest{FunctionName: ptr("f"),
			ZipFile: zipOf(t, map[string]string{"app.py": "def handler(e, c): return 2\n"})})
	}
	publish := func(ctx context.Context) (*lambdaapi.FunctionConfiguration, error) {
		return e.s.PublishVersion(ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("f")})
	}
	steps := []struct {
		name            string
		at              time.Duration
		do              func(context.Context) (*lambdaapi.FunctionConfiguration, error)
		wantErr         string // the ResourceConflictException's message, if refused
		state, update   string
		revisionChanged bool
	}{
		{"read while Pending", 0, get, "", "Pending", "", false},
		{"update config while Pending", 500 * time.Millisecond, updateConfig, inProgress, "", "", false},
		{"update code while Pending", 500 * time.Millisecond, updateCode, inProgress, "", "", false},
		{"publish while Pending", 500 * time.Millisecond, publish, inProgress, "", "", false},
		{"read once Active", time.Second, get, "", "Active", "Successful", true},
		{"read again", 2 * time.Second, get, "", "Active", "Successful", false},
		{"update config", 2 * time.Second, updateConfig, "", "Active", "InProgress", true},
		{"read while InProgress", 2 * time.Second, get, "", "Active", "InProgress", false},
		{"update code while InProgress", 2500 * time.Millisecond, updateCode, inProgress, "", "", false},
		{"update config while InProgress", 2500 * time.Millisecond, updateConfig, inProgress, "", "", false},
		{"read once Successful", 3 * time.Second, get, "", "Active", "Successful", true},
		{"update code", 3 * time.Second, updateCode, "", "Active", "InProgress", true},
		{"read after the code update", 4 * time.Second, get, "", "Active", "Successful", true},
	}
	seen := map[string]bool{deref(created.RevisionId): true}
	last := deref(created.RevisionId)
	for _, st := range steps {
		got, err := st.do(e.at(st.at))
		if st.wantErr != "" {
			wantErr(t, err, "ResourceConflictException", st.wantErr)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if deref(got.State) != st.state || deref(got.LastUpdateStatus) != st.update {
			t.Errorf("%s: State %q LastUpdateStatus %q, want %q %q", st.name, deref(got.State), deref(got.LastUpdateStatus), st.state, st.update)
		}
		rev := deref(got.RevisionId)
		switch {
		case st.revisionChanged && seen[rev]:
			t.Errorf("%s: RevisionId %s was seen before", st.name, rev)
		case !st.revisionChanged && rev != last:
			t.Errorf("%s: RevisionId %s, want %s unchanged", st.name, rev, last)
		}
		seen[rev], last = true, rev
	}
}

// With no StateTransition the change ends at once: the reads that follow see Active and
// Successful, each with the RevisionId the change ended with, and a stale RevisionId (the one
// the create or update answered) is a failed precondition, as on Lambda.
func TestRevisionsSettleAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	created := e.create("g")
	active, err := e.s.GetFunctionConfiguration(e.ctx, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: ptr("g")})
	ok(t, err)
	if deref(active.RevisionId) == deref(created.RevisionId) || deref(active.State) != "Active" {
		t.Fatalf("after create: %s %s, created %s", deref(active.State), deref(active.RevisionId), deref(created.RevisionId))
	}
	cases := []struct {
		name     string
		revision string
		wantErr  string
	}{
		{"the create's RevisionId", deref(created.RevisionId), "PreconditionFailedException"},
		{"the Active RevisionId", deref(active.RevisionId), ""},
	}
	for _, c := range cases {
		_, err := e.s.UpdateFunctionConfiguration(e.ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("g"),
			RevisionId: ptr(c.revision), Description: ptr(c.name)})
		if c.wantErr != "" {
			wantErr(t, err, c.wantErr, msgRevision)
			continue
		}
		ok(t, err)
	}
}

// The other changes that give $LATEST (and with it the function policy) a new RevisionId:
// a permission added or removed (the policy's RevisionId is the function's, recorded:
// TestLambdaPermissions::test_lambda_permission_fn_versioning) and a publish
// (TestLambdaVersions::test_version_lifecycle).
func TestRevisionChangingOperations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.create("h")
	revision := func() string {
		got, err := e.s.GetFunctionConfiguration(e.ctx, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: ptr("h")})
		ok(t, err)
		return deref(got.RevisionId)
	}
	cases := []struct {
		name string
		do   func() error
	}{
		{"AddPermission", func() error {
			_, err := e.s.AddPermission(e.ctx, &lambdaapi.AddPermissionRequest{FunctionName: ptr("h"), StatementId: ptr("s1"),
				Action: ptr("lambda:InvokeFunction"), Principal: ptr("s3.amazonaws.com")})
			return err
		}},
		{"RemovePermission", func() error {
			_, err := e.s.RemovePermission(e.ctx, &lambdaapi.RemovePermissionRequest{FunctionName: ptr("h"), StatementId: ptr("s1")})
			return err
		}},
		{"PublishVersion", func() error {
			_, err := e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("h")})
			return err
		}},
	}
	for _, c := range cases {
		before := revision()
		ok(t, c.do())
		if after := revision(); after == before {
			t.Errorf("%s left RevisionId %s", c.name, before)
		}
	}
}

// Provisioned concurrency put on a version, directly or through an alias, gives that version
// a new RevisionId (recorded: TestLambdaConcurrency::test_lambda_provisioned_concurrency_moves_with_alias,
// get_function_before_provisioned and get_function_after_provisioned carry different
// RevisionIds, neither of them the alias's). Whether PutFunctionConcurrency, TagResource or
// PutFunctionEventInvokeConfig change one is recorded nowhere, so they are left as they are.
func TestProvisionedConcurrencyRevisesItsVersion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.create("p")
	for _, description := range []string{"one", "two"} {
		_, err := e.s.UpdateFunctionConfiguration(e.ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("p"), Description: ptr(description)})
		ok(t, err)
		_, err = e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("p")})
		ok(t, err)
	}
	alias, err := e.s.CreateAlias(e.ctx, &lambdaapi.CreateAliasRequest{FunctionName: ptr("p"), Name: ptr("live"), FunctionVersion: ptr("1")})
	ok(t, err)
	revision := func(qualifier string) string {
		got, err := e.s.GetFunction(e.ctx, &lambdaapi.GetFunctionRequest{FunctionName: ptr("p"), Qualifier: ptr(qualifier)})
		ok(t, err)
		return deref(got.Configuration.RevisionId)
	}
	cases := []struct {
		name, putOn, version, readAs string
	}{
		{"on an alias", "live", "1", "live"},
		{"on a version", "2", "2", "2"},
	}
	for _, c := range cases {
		before := revision(c.version)
		_, err := e.s.PutProvisionedConcurrencyConfig(e.ctx, &lambdaapi.PutProvisionedConcurrencyConfigRequest{FunctionName: ptr("p"),
			Qualifier: ptr(c.putOn), ProvisionedConcurrentExecutions: ptr(int32(1))})
		ok(t, err)
		after := revision(c.readAs)
		if after == before || after == deref(alias.RevisionId) {
			t.Errorf("%s: RevisionId %s after, %s before, alias %s", c.name, after, before, deref(alias.RevisionId))
		}
		if got := revision(c.version); got != after {
			t.Errorf("%s: version %s reads RevisionId %s, its alias %s", c.name, c.version, got, after)
		}
	}
}
