package lambda

import (
	"context"
	"strconv"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/storage"
)

// loadLatest reads a function and its $LATEST for an update of the function itself; a
// qualified name is refused.
func loadLatest(tx *storage.Tx, t target) (storage.LambdaFunctionRecord, storage.LambdaVersionRecord, error) {
	fn, err := loadFunction(tx, t, t.arn())
	if err != nil {
		return fn, storage.LambdaVersionRecord{}, err
	}
	v, err := storage.LambdaVersions(tx, t.name).Get(latest)
	if isNotFound(err) {
		return fn, v, notFound(t.arn())
	}
	return fn, v, err
}

// UpdateFunctionCode replaces $LATEST's code (a zip, or the image of an Image function) and
// optionally publishes a version. RevisionId is a precondition on $LATEST's revision.
func (s *Service) UpdateFunctionCode(ctx context.Context, in *lambdaapi.UpdateFunctionCodeRequest) (*lambdaapi.FunctionConfiguration, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.FunctionConfiguration
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		fn, v, err := loadLatest(tx, t)
		if err != nil {
			return err
		}
		if r := str(in.RevisionId); r != "" && r != v.RevisionID {
			return errRevision()
		}
		cd, err := codeFromInput(v.PackageType, in.ZipFile, str(in.S3Bucket), str(in.ImageUri))
		if err != nil {
			return err
		}
		if in.DryRun != nil && *in.DryRun {
			out = configuration(t, v, "", viewRead)
			return nil
		}
		if err := cd.store(tx); err != nil {
			return err
		}
		old := v.CodeKey
		v.CodeKey, v.CodeSha256, v.CodeSize, v.ImageURI = cd.key, cd.sha, cd.size, cd.imageURI
		if len(in.Architectures) > 0 {
			v.Architectures = in.Architectures
		}
		v.RevisionID, v.LastModified = s.revision(), c.now
		if err := storage.LambdaVersions(tx, t.name).Put(latest, v); err != nil {
			return err
		}
		out = configuration(t, v, "", viewUpdated)
		if in.Publish != nil && *in.Publish {
			pub, err := s.publish(tx, &fn, &v, nil, c)
			if err != nil {
				return err
			}
			out = configuration(t, pub, pub.Version, viewCreated)
			if err := storage.LambdaFunctions(tx).Put(t.name, fn); err != nil {
				return err
			}
		}
		return releaseCode(tx, old)
	})
	return out, err
}

// UpdateFunctionConfiguration changes $LATEST's settings with the checks CreateFunction makes.
func (s *Service) UpdateFunctionConfiguration(ctx context.Context, in *lambdaapi.UpdateFunctionConfigurationRequest) (*lambdaapi.FunctionConfiguration, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	st := settings{Description: in.Description, Runtime: in.Runtime, Handler: in.Handler, Role: in.Role,
		Timeout: in.Timeout, MemorySize: in.MemorySize, Environment: in.Environment, Layers: in.Layers, LayersSet: in.Layers != nil,
		EphemeralStorage: in.EphemeralStorage, TracingConfig: in.TracingConfig, DeadLetterConfig: in.DeadLetterConfig,
		KMSKeyArn: in.KMSKeyArn, FileSystems: in.FileSystemConfigs, FileSystemsSet: in.FileSystemConfigs != nil,
		VpcConfig: in.VpcConfig, LoggingConfig: in.LoggingConfig, ImageConfig: in.ImageConfig, SnapStart: in.SnapStart}
	refused := s.deadLetterRefusedOnUpdate(ctx, c, t, in.Role, in.DeadLetterConfig) // outside the write, as the authorizer reads
	var out *lambdaapi.FunctionConfiguration
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		_, v, err := loadLatest(tx, t)
		if err != nil {
			return err
		}
		if err := st.check(v.PackageType); err != nil {
			return err
		}
		if r := str(in.RevisionId); r != "" && r != v.RevisionID {
			return errRevision()
		}
		if in.Role != nil {
			if err := checkRole(tx, *in.Role); err != nil {
				return err
			}
		}
		if refused != nil {
			return refused
		}
		var layers []storage.LambdaLayerRef
		if st.LayersSet {
			if layers, err = resolveLayers(tx, t.region, in.Layers); err != nil {
				return err
			}
		}
		oldLayers := v.Layers
		st.apply(&v, t.name, layers)
		v.RevisionID, v.LastModified = s.revision(), c.now
		if err := storage.LambdaVersions(tx, t.name).Put(latest, v); err != nil {
			return err
		}
		out = configuration(t, v, "", viewUpdated)
		if st.LayersSet {
			return releaseLayerCode(tx, oldLayers...)
		}
		return nil
	})
	if err == nil && in.Runtime != nil {
		s.warnUnrunnable(ctx, t.name, "Zip", *in.Runtime)
	}
	return out, err
}

// publish makes a version of $LATEST (v) unless $LATEST is unchanged since the last version
// published from it, which is then returned, as Lambda does. The version number comes from the
// versions bucket's sequence; $LATEST gets a new revision. fn is updated but not written.
func (s *Service) publish(tx *storage.Tx, fn *storage.LambdaFunctionRecord, v *storage.LambdaVersionRecord, description *string, c call) (storage.LambdaVersionRecord, error) {
	versions := storage.LambdaVersions(tx, fn.Name)
	fp := fingerprint(*v)
	if fn.LastPublished > 0 && fn.Published == fp {
		prev, err := versions.Get(storage.LambdaVersionKey(strconv.Itoa(fn.LastPublished)))
		if err == nil {
			return prev, nil
		}
		if !isNotFound(err) {
			return prev, err
		}
	}
	n, err := versions.NextSequence()
	if err != nil {
		return storage.LambdaVersionRecord{}, err
	}
	pub := *v
	pub.Version = strconv.FormatUint(n, 10)
	pub.RevisionID = s.revision()
	pub.LastModified = c.now
	if description != nil {
		pub.Description = *description
	}
	if err := versions.Put(storage.LambdaVersionKey(pub.Version), pub); err != nil {
		return pub, err
	}
	v.RevisionID = s.revision()
	if err := versions.Put(latest, *v); err != nil {
		return pub, err
	}
	fn.LastPublished, fn.Published = int(n), fp
	return pub, nil
}

// PublishVersion publishes $LATEST as a new version (201). CodeSha256 and RevisionId are
// preconditions on $LATEST.
func (s *Service) PublishVersion(ctx context.Context, in *lambdaapi.PublishVersionRequest) (*lambdaapi.FunctionConfiguration, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.FunctionConfiguration
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		fn, v, err := loadLatest(tx, t)
		if err != nil {
			return err
		}
		if sha := str(in.CodeSha256); sha != "" && sha != v.CodeSha256 {
			return invalid("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.", sha, v.CodeSha256)
		}
		if r := str(in.RevisionId); r != "" && r != v.RevisionID {
			return errRevision()
		}
		pub, err := s.publish(tx, &fn, &v, in.Description, c)
		if err != nil {
			return err
		}
		out = configuration(t, pub, pub.Version, viewRead)
		return storage.LambdaFunctions(tx).Put(t.name, fn)
	})
	return out, err
}

// ListVersionsByFunction lists $LATEST (with a qualified ARN) and the published versions in
// order, 50 at most a page.
func (s *Service) ListVersionsByFunction(ctx context.Context, in *lambdaapi.ListVersionsByFunctionRequest) (*lambdaapi.ListVersionsByFunctionResponse, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.ListVersionsByFunctionResponse{}
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		if _, err := loadFunction(tx, t, t.arn()); err != nil {
			return err
		}
		var items []pageItem[lambdaapi.FunctionConfiguration]
		err := storage.LambdaVersions(tx, t.name).Scan("", func(key string, v storage.LambdaVersionRecord) error {
			items = append(items, pageItem[lambdaapi.FunctionConfiguration]{key: key, item: *configuration(t, v, v.Version, viewList)})
			return nil
		})
		if err != nil {
			return err
		}
		out.Versions, out.NextMarker = paginate(items, in.Marker, in.MaxItems)
		return nil
	})
	return out, err
}
