package lambda

import (
	"context"
	"encoding/base64"
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// notFound is Lambda's answer for a missing function, version or alias: "Function not found:
// <arn>" with the qualifier when the request gave one (conformance/errors README, Lambda).
func notFound(arn string) error { return lambdaapi.ErrResourceNotFound("Function not found: %s", arn) }

// loadFunction reads the function record or answers notFound(arn).
func loadFunction(tx *storage.Tx, t target, arn string) (storage.LambdaFunctionRecord, error) {
	fn, err := storage.LambdaFunctions(tx).Get(t.name)
	if isNotFound(err) {
		return fn, notFound(arn)
	}
	return fn, err
}

// loadQualified reads the version a qualifier designates: $LATEST when there is none, a
// published version, or the version an alias points to. It returns the qualifier the
// FunctionArn of the answer carries.
func loadQualified(tx *storage.Tx, t target) (storage.LambdaVersionRecord, string, error) {
	versions := storage.LambdaVersions(tx, t.name)
	q := t.qualifier
	key := latest
	switch {
	case q == "" || q == latest:
	case isVersionNumber(q):
		key = storage.LambdaVersionKey(q)
	default:
		a, err := storage.LambdaAliases(tx, t.name).Get(q)
		if isNotFound(err) {
			return storage.LambdaVersionRecord{}, "", notFound(t.qualifiedARN())
		}
		if err != nil {
			return storage.LambdaVersionRecord{}, "", err
		}
		key = storage.LambdaVersionKey(a.FunctionVersion)
	}
	v, err := versions.Get(key)
	if isNotFound(err) {
		return v, "", notFound(t.qualifiedARN())
	}
	return v, q, err
}

// createInput gathers the configuration members of CreateFunction.
func createSettings(in *lambdaapi.CreateFunctionRequest) settings {
	return settings{Description: in.Description, Runtime: in.Runtime, Handler: in.Handler, Role: in.Role,
		Timeout: in.Timeout, MemorySize: in.MemorySize, Environment: in.Environment, Layers: in.Layers, LayersSet: true,
		EphemeralStorage: in.EphemeralStorage, TracingConfig: in.TracingConfig, DeadLetterConfig: in.DeadLetterConfig,
		KMSKeyArn: in.KMSKeyArn, FileSystems: in.FileSystemConfigs, FileSystemsSet: true, VpcConfig: in.VpcConfig,
		LoggingConfig: in.LoggingConfig, ImageConfig: in.ImageConfig, SnapStart: in.SnapStart}
}

// CreateFunction stores a new function: its $LATEST configuration and code, its tags, and
// version 1 when Publish is set. The answer is 201 with State Pending, as Lambda's; every read
// after it sees the function Active.
func (s *Service) CreateFunction(ctx context.Context, in *lambdaapi.CreateFunctionRequest) (*lambdaapi.FunctionConfiguration, error) {
	c := s.call(ctx)
	t, err := c.createName(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	if t.qualifier != "" {
		return nil, validation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", str(in.FunctionName), functionNameRegex)
	}
	pkg := nonEmpty(str(in.PackageType), "Zip")
	st := createSettings(in)
	if err := st.check(pkg); err != nil {
		return nil, err
	}
	if pkg == "Zip" && (str(in.Runtime) == "" || str(in.Handler) == "") {
		return nil, invalid("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if len(in.Tags) > maxTags {
		return nil, invalid("Number of tags exceeds resource tag limit.")
	}
	var src lambdaapi.FunctionCode
	if in.Code != nil {
		src = *in.Code
	}
	cd, err := codeFromInput(pkg, src.ZipFile, str(src.S3Bucket), str(src.ImageUri))
	if err != nil {
		return nil, err
	}
	refused := s.deadLetterRefused(ctx, c, t.name, str(in.Role), in.DeadLetterConfig) // outside the write, as the authorizer reads
	var out *lambdaapi.FunctionConfiguration
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if storage.LambdaFunctions(tx).Has(t.name) {
			return lambdaapi.ErrResourceConflict("Function already exist: %s", t.name)
		}
		if err := checkRole(tx, str(in.Role)); err != nil {
			return err
		}
		var csc string
		if arn := str(in.CodeSigningConfigArn); arn != "" {
			id, err := codeSigningOf(tx, c, arn)
			if err != nil {
				return err
			}
			csc = id
		}
		if refused != nil {
			return refused
		}
		layers, err := resolveLayers(tx, t.region, in.Layers)
		if err != nil {
			return err
		}
		if err := cd.store(tx); err != nil {
			return err
		}
		v := storage.LambdaVersionRecord{Version: latest, LastModified: c.now,
			PackageType: pkg, CodeKey: cd.key, CodeSha256: cd.sha, CodeSize: cd.size, ImageURI: cd.imageURI,
			Timeout: defaultTimeout, MemorySize: defaultMemory, EphemeralStorage: defaultEphemeral,
			Architectures: in.Architectures, TracingMode: "PassThrough"}
		if len(v.Architectures) == 0 {
			v.Architectures = []string{"x86_64"}
		}
		st.apply(&v, t.name, layers)
		s.begin(&v, transitionCreating, c.now)
		fn := storage.LambdaFunctionRecord{Name: t.name, Created: c.now, Tags: in.Tags}
		if err := storage.LambdaVersions(tx, t.name).Put(latest, v); err != nil {
			return err
		}
		if in.Publish != nil && *in.Publish {
			pub, err := s.publish(tx, &fn, &v, nil, c)
			if err != nil {
				return err
			}
			v = pub // Lambda answers with Version "1" and the unqualified ARN
		}
		if csc != "" {
			if err := editSettings(tx, t.name, func(r *storage.LambdaFunctionSettingsRecord) { r.CodeSigning = csc }); err != nil {
				return err
			}
		}
		out = configuration(t, v, "", viewCreated)
		return storage.LambdaFunctions(tx).Put(t.name, fn)
	})
	if err == nil {
		s.warnUnrunnable(ctx, t.name, pkg, str(in.Runtime))
	}
	return out, err
}

// GetFunction returns a version's configuration, where its code is (Code.Location, a download
// URL iamlocal serves, once the server knows its address), its tags and its reserved concurrency.
func (s *Service) GetFunction(ctx context.Context, in *lambdaapi.GetFunctionRequest) (*lambdaapi.GetFunctionResponse, error) {
	c := s.call(ctx)
	t, err := c.resolve(str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.GetFunctionResponse{}
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		fn, err := loadFunction(tx, t, t.qualifiedARN())
		if err != nil {
			return err
		}
		v, q, err := loadQualified(tx, t)
		if err != nil {
			return err
		}
		v = settled(v, c.now)
		out.Configuration = configuration(t, v, q, viewRead)
		out.Code = &lambdaapi.FunctionCodeLocation{RepositoryType: ptr("S3")}
		if loc := s.codeLocation(t.scope(), v.CodeKey); loc != "" {
			out.Code.Location = ptr(loc)
		}
		if v.PackageType == "Image" {
			out.Code = &lambdaapi.FunctionCodeLocation{RepositoryType: ptr("ECR"), ImageUri: ptr(v.ImageURI),
				ResolvedImageUri: ptr(imageRepo(v.ImageURI) + "@sha256:" + v.CodeSha256)}
		}
		if len(fn.Tags) > 0 {
			out.Tags = copyTags(fn.Tags)
		}
		if fn.Reserved != nil {
			out.Concurrency = &lambdaapi.Concurrency{ReservedConcurrentExecutions: ptr(*fn.Reserved)}
		}
		return nil
	})
	return out, err
}

// imageRepo strips the tag or digest from an image URI.
func imageRepo(uri string) string {
	if i := strings.Index(uri, "@"); i >= 0 {
		return uri[:i]
	}
	if i := strings.LastIndex(uri, ":"); i > strings.LastIndex(uri, "/") {
		return uri[:i]
	}
	return uri
}

// GetFunctionConfiguration returns a version's configuration.
func (s *Service) GetFunctionConfiguration(ctx context.Context, in *lambdaapi.GetFunctionConfigurationRequest) (*lambdaapi.FunctionConfiguration, error) {
	got, err := s.GetFunction(ctx, &lambdaapi.GetFunctionRequest{FunctionName: in.FunctionName, Qualifier: in.Qualifier})
	if err != nil {
		return nil, err
	}
	return got.Configuration, nil
}

// ListFunctions lists the account's functions by name, 50 at most a page: their $LATEST
// configuration, or with FunctionVersion=ALL every version ($LATEST with a qualified ARN).
// The marker is the opaque position after the last item returned.
func (s *Service) ListFunctions(ctx context.Context, in *lambdaapi.ListFunctionsRequest) (*lambdaapi.ListFunctionsResponse, error) {
	c := s.call(ctx)
	all := str(in.FunctionVersion) == "ALL"
	out := &lambdaapi.ListFunctionsResponse{Functions: []lambdaapi.FunctionConfiguration{}}
	t := c.function("", "")
	err := s.view(c.scope(), func(tx *storage.Tx) error {
		names, err := storage.LambdaFunctions(tx).Keys("")
		if err != nil {
			return err
		}
		var items []pageItem[lambdaapi.FunctionConfiguration]
		for _, name := range names {
			t.name = name
			err := storage.LambdaVersions(tx, name).Scan("", func(key string, v storage.LambdaVersionRecord) error {
				if !all && key != latest {
					return nil
				}
				q := ""
				if all {
					q = v.Version
				}
				items = append(items, pageItem[lambdaapi.FunctionConfiguration]{key: name + "\x00" + key, item: *configuration(t, settled(v, c.now), q, viewList)})
				return nil
			})
			if err != nil {
				return err
			}
		}
		out.Functions, out.NextMarker = paginate(items, in.Marker, in.MaxItems)
		return nil
	})
	return out, err
}

// DeleteFunction deletes a function with everything under it, or with a Qualifier one
// published version. $LATEST cannot be deleted alone ("$LATEST version cannot be deleted
// without deleting the function.", recorded). The answer is 204.
func (s *Service) DeleteFunction(ctx context.Context, in *lambdaapi.DeleteFunctionRequest) (*lambdaapi.DeleteFunctionResponse, error) {
	c := s.call(ctx)
	t, err := c.resolve(str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	// Answered before the function is looked up: AWS answers it for a function that does not
	// exist (match_exception of test_ops_with_arn_qualifier_mismatch[delete_function]).
	if t.qualifier == latest {
		return nil, invalid("$LATEST version cannot be deleted without deleting the function.")
	}
	var provisioned []string // retired once the deletion commits
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if _, err := loadFunction(tx, t, t.arn()); err != nil {
			return err
		}
		if t.qualifier == "" {
			var err error
			if provisioned, err = provisionedQualifiers(tx, t.name); err != nil {
				return err
			}
		} else {
			provisioned = []string{t.qualifier}
		}
		var keys []string
		var layers []storage.LambdaLayerRef
		if t.qualifier == "" {
			err := storage.LambdaVersions(tx, t.name).Scan("", func(_ string, v storage.LambdaVersionRecord) error {
				keys = append(keys, v.CodeKey)
				layers = append(layers, v.Layers...)
				return nil
			})
			if err != nil {
				return err
			}
			if err := storage.DeleteLambdaFunction(tx, t.name); err != nil {
				return err
			}
			if err := releaseCode(tx, keys...); err != nil {
				return err
			}
			return releaseLayerCode(tx, layers...)
		}
		if !isVersionNumber(t.qualifier) {
			return notFound(t.qualifiedARN())
		}
		v, err := storage.LambdaVersions(tx, t.name).Get(storage.LambdaVersionKey(t.qualifier))
		if isNotFound(err) {
			// Deleting a version that does not exist succeeds, again and again
			// (TestLambdaFunction::test_delete_on_nonexisting_version, recorded).
			provisioned = nil
			return nil
		}
		if err != nil {
			return err
		}
		var using []string
		err = storage.LambdaAliases(tx, t.name).Scan("", func(_ string, a storage.LambdaAliasRecord) error {
			if a.FunctionVersion == t.qualifier || a.Weights[t.qualifier] > 0 {
				using = append(using, a.Name)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(using) > 0 {
			return lambdaapi.ErrResourceConflict("Unable to delete version because the following aliases reference it: [%s]", strings.Join(using, ", "))
		}
		for _, del := range []func() error{
			func() error { return storage.LambdaVersions(tx, t.name).Delete(storage.LambdaVersionKey(t.qualifier)) },
			func() error { return ignoreMissing(storage.LambdaPolicies(tx, t.name).Delete(t.qualifier)) },
			func() error { return ignoreMissing(storage.LambdaEventInvokeConfigs(tx, t.name).Delete(t.qualifier)) },
			func() error { return ignoreMissing(storage.LambdaProvisioned(tx, t.name).Delete(t.qualifier)) },
			func() error { return ignoreMissing(storage.LambdaRuntimeConfigs(tx, t.name).Delete(t.qualifier)) },
		} {
			if err := del(); err != nil {
				return err
			}
		}
		if err := releaseCode(tx, v.CodeKey); err != nil {
			return err
		}
		return releaseLayerCode(tx, v.Layers...)
	})
	if err != nil {
		return nil, err
	}
	s.unprovision(t.scope(), t.name, provisioned...)
	return &lambdaapi.DeleteFunctionResponse{StatusCode: ptr(int32(204))}, nil
}

func ignoreMissing(err error) error {
	if isNotFound(err) {
		return nil
	}
	return err
}

func copyTags(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[k] = v
	}
	return out
}

// pageItem is one item of a listing with the key it sorts by.
type pageItem[T any] struct {
	key  string
	item T
}

// paginate returns the page of items (sorted by key) after marker, at most maxItems (and at
// most 50, Lambda's page limit), and the marker of the next page when there is one. Markers
// are opaque to clients: the base64 of the last key returned.
func paginate[T any](items []pageItem[T], marker *string, maxItems *int32) ([]T, *string) {
	sort.Slice(items, func(i, j int) bool { return items[i].key < items[j].key })
	start := 0
	if m := str(marker); m != "" {
		after := m
		if raw, err := base64.RawURLEncoding.DecodeString(m); err == nil {
			after = string(raw)
		}
		start = sort.Search(len(items), func(i int) bool { return items[i].key > after })
	}
	limit := listPage
	if maxItems != nil && *maxItems > 0 && int(*maxItems) < limit {
		limit = int(*maxItems)
	}
	page := []T{}
	end := start
	for ; end < len(items) && len(page) < limit; end++ {
		page = append(page, items[end].item)
	}
	if end < len(items) {
		return page, ptr(base64.RawURLEncoding.EncodeToString([]byte(items[end-1].key)))
	}
	return page, nil
}

// Resolved is what an executor needs to run a function: the version a name designates and
// the ARN it was invoked by.
type Resolved struct {
	ARN      string // the ARN the name designates, with its qualifier if it had one
	Function storage.LambdaFunctionRecord
	Version  storage.LambdaVersionRecord // its code is storage.LambdaCode(tx, Version.CodeKey)
	Alias    *storage.LambdaAliasRecord  // when the qualifier is an alias (its routing weights are the caller's to apply)
}

// Resolve finds, in tx's account and region, the version a function name in any of Lambda's
// formats designates, with qualifier as Invoke's Qualifier parameter ("" for none): $LATEST, a
// published version, or the version an alias points to. The request's partition and region
// are where's (its account is tx's); a name of another region is refused in Lambda's words
// before tx is read. Errors are Lambda's typed answers (ResourceNotFoundException "Function not
// found: <arn>", ...).
func Resolve(tx *storage.Tx, where arn.Scope, functionName, qualifier string) (Resolved, error) {
	c := call{account: tx.Account(), region: where.Region, partition: where.Partition}
	t, err := c.resolve(functionName, &qualifier)
	if err != nil {
		return Resolved{}, err
	}
	if t.account != tx.Account() || t.region != tx.Region() {
		return Resolved{}, notFound(t.qualifiedARN())
	}
	fn, err := loadFunction(tx, t, t.qualifiedARN())
	if err != nil {
		return Resolved{}, err
	}
	v, q, err := loadQualified(tx, t)
	if err != nil {
		return Resolved{}, err
	}
	out := Resolved{ARN: t.versionARN(q), Function: fn, Version: v}
	if q != "" && q != latest && !isVersionNumber(q) {
		a, err := storage.LambdaAliases(tx, t.name).Get(q)
		if err != nil {
			return Resolved{}, err
		}
		out.Alias = &a
	}
	return out, nil
}
