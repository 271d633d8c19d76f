package lambda

import (
	"context"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/storage"
)

// Settings Lambda stores per function and iamlocal only reports back:
//   - recursion (Lambda API Reference: GetFunctionRecursionConfig, PutFunctionRecursionConfig):
//     RecursiveLoop is "Terminate" until set; iamlocal does not detect recursive loops.
//   - runtime management (GetRuntimeManagementConfig, PutRuntimeManagementConfig) of $LATEST
//     or a published version: UpdateRuntimeOn is "Auto" until set; iamlocal runs the local
//     runtime whatever the setting.
// GetFunctionScalingConfig and PutFunctionScalingConfig belong to functions on capacity
// providers (Lambda Managed Instances), which iamlocal does not model; they stay
// NotImplemented.

// GetFunctionRecursionConfig reports a function's recursive loop setting.
func (s *Service) GetFunctionRecursionConfig(ctx context.Context, in *lambdaapi.GetFunctionRecursionConfigRequest) (*lambdaapi.GetFunctionRecursionConfigResponse, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.GetFunctionRecursionConfigResponse{RecursiveLoop: ptr("Terminate")}
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		if _, err := loadFunction(tx, t, t.arn()); err != nil {
			return err
		}
		set, err := storage.LambdaFunctionSettings(tx, t.name).Get(settingsKey)
		if err == nil && set.RecursiveLoop != "" {
			out.RecursiveLoop = ptr(set.RecursiveLoop)
		}
		return ignoreMissing(err)
	})
	return out, err
}

// PutFunctionRecursionConfig sets it (Allow or Terminate, checked against the model's enum).
func (s *Service) PutFunctionRecursionConfig(ctx context.Context, in *lambdaapi.PutFunctionRecursionConfigRequest) (*lambdaapi.PutFunctionRecursionConfigResponse, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	loop := str(in.RecursiveLoop)
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if _, err := loadFunction(tx, t, t.arn()); err != nil {
			return err
		}
		return editSettings(tx, t.name, func(r *storage.LambdaFunctionSettingsRecord) { r.RecursiveLoop = loop })
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.PutFunctionRecursionConfigResponse{RecursiveLoop: ptr(loop)}, nil
}

// runtimeTarget resolves the function and version of a runtime management call: $LATEST
// when no qualifier is given; an alias or a missing version is "Function not found".
func (s *Service) runtimeTarget(ctx context.Context, name string, qualifier *string) (call, target, string, error) {
	c := s.call(ctx)
	t, err := c.resolve(name, qualifier)
	return c, t, nonEmpty(t.qualifier, latest), err
}

func runtimeExists(tx *storage.Tx, t target, q string) error {
	if !storage.LambdaFunctions(tx).Has(t.name) || !(q == latest || isVersionNumber(q)) ||
		!storage.LambdaVersions(tx, t.name).Has(storage.LambdaVersionKey(q)) {
		return notFound(t.qualifiedARN())
	}
	return nil
}

func runtimeOut(t target, r storage.LambdaRuntimeRecord) (arn, on string, version *string) {
	if r.RuntimeVersionArn != "" {
		version = ptr(r.RuntimeVersionArn)
	}
	return t.qualifiedARN(), nonEmpty(r.UpdateRuntimeOn, "Auto"), version
}

// GetRuntimeManagementConfig reports the runtime update mode of $LATEST or a version.
func (s *Service) GetRuntimeManagementConfig(ctx context.Context, in *lambdaapi.GetRuntimeManagementConfigRequest) (*lambdaapi.GetRuntimeManagementConfigResponse, error) {
	_, t, q, err := s.runtimeTarget(ctx, str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.GetRuntimeManagementConfigResponse{}
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		if err := runtimeExists(tx, t, q); err != nil {
			return err
		}
		r, err := storage.LambdaRuntimeConfigs(tx, t.name).Get(q)
		arn, on, version := runtimeOut(t, r)
		out.FunctionArn, out.UpdateRuntimeOn, out.RuntimeVersionArn = ptr(arn), ptr(on), version
		return ignoreMissing(err)
	})
	return out, err
}

// PutRuntimeManagementConfig sets it; a RuntimeVersionArn goes with Manual and only with it.
func (s *Service) PutRuntimeManagementConfig(ctx context.Context, in *lambdaapi.PutRuntimeManagementConfigRequest) (*lambdaapi.PutRuntimeManagementConfigResponse, error) {
	_, t, q, err := s.runtimeTarget(ctx, str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	on, version := str(in.UpdateRuntimeOn), str(in.RuntimeVersionArn)
	switch {
	case on == "Manual" && version == "":
		return nil, invalid("Runtime version ARN must be provided when UpdateRuntimeOn is set to Manual.")
	case on != "Manual" && version != "":
		return nil, invalid("Runtime version ARN can only be provided when UpdateRuntimeOn is set to Manual.")
	}
	rec := storage.LambdaRuntimeRecord{V: 1, Qualifier: q, UpdateRuntimeOn: on, RuntimeVersionArn: version}
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if err := runtimeExists(tx, t, q); err != nil {
			return err
		}
		return storage.LambdaRuntimeConfigs(tx, t.name).Put(q, rec)
	})
	if err != nil {
		return nil, err
	}
	arn, on, v := runtimeOut(t, rec)
	return &lambdaapi.PutRuntimeManagementConfigResponse{FunctionArn: ptr(arn), UpdateRuntimeOn: ptr(on), RuntimeVersionArn: v}, nil
}
