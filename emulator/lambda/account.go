package lambda

import (
	"context"
	"strings"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/storage"
)

// taggedFunction resolves the Resource of the tagging operations. Functions are the only
// taggable resource iamlocal has; the other types Lambda tags are answered as not found, in
// Lambda's words for each (recorded: TestLambdaTag::test_tag_exceptions).
func (c call) taggedFunction(resource string) (target, error) {
	parts := strings.SplitN(resource, ":", 7)
	if len(parts) == 7 && parts[5] != "function" {
		switch parts[5] {
		case "code-signing-config":
			return target{}, lambdaapi.ErrResourceNotFound("The Lambda code signing configuration %s can not be found.", resource)
		case "event-source-mapping":
			return target{}, lambdaapi.ErrResourceNotFound("Event source mapping not found: %s", resource)
		case "capacity-provider":
			return target{}, lambdaapi.ErrResourceNotFound("Capacity provider not found: %s", resource)
		}
		return target{}, lambdaapi.ErrResourceNotFound(msgNoResource)
	}
	t, err := c.resolve(resource, nil)
	if err == nil && t.qualifier != "" {
		return target{}, invalid("Tags on function aliases and versions are not supported. Please specify a function ARN.")
	}
	return t, err
}

// TagResource adds or replaces tags of a function (204); a function has at most 50.
func (s *Service) TagResource(ctx context.Context, in *lambdaapi.TagResourceRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	t, err := c.taggedFunction(str(in.Resource))
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, invalid("An error occurred and the request cannot be processed.")
	}
	err = s.update(t.account, func(tx *storage.Tx) error {
		fn, err := loadFunction(tx, t, t.arn())
		if err != nil {
			return err
		}
		if fn.Tags == nil {
			fn.Tags = map[string]string{}
		}
		for k, v := range in.Tags {
			fn.Tags[k] = v
		}
		if len(fn.Tags) > maxTags {
			return invalid("Number of tags exceeds resource tag limit.")
		}
		return storage.LambdaFunctions(tx).Put(t.name, fn)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Empty{}, nil
}

// UntagResource removes tags of a function (204); unknown keys are ignored.
func (s *Service) UntagResource(ctx context.Context, in *lambdaapi.UntagResourceRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	t, err := c.taggedFunction(str(in.Resource))
	if err != nil {
		return nil, err
	}
	err = s.update(t.account, func(tx *storage.Tx) error {
		fn, err := loadFunction(tx, t, t.arn())
		if err != nil {
			return err
		}
		for _, k := range in.TagKeys {
			delete(fn.Tags, k)
		}
		return storage.LambdaFunctions(tx).Put(t.name, fn)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Empty{}, nil
}

// ListTags returns a function's tags ({} when none).
func (s *Service) ListTags(ctx context.Context, in *lambdaapi.ListTagsRequest) (*lambdaapi.ListTagsResponse, error) {
	c := s.call(ctx)
	t, err := c.taggedFunction(str(in.Resource))
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.ListTagsResponse{}
	err = s.view(t.account, func(tx *storage.Tx) error {
		fn, err := loadFunction(tx, t, t.arn())
		out.Tags = copyTags(fn.Tags)
		return err
	})
	return out, err
}

// GetAccountSettings reports Lambda's default quotas and the account's usage: its number of
// functions and the code size of every function version and layer version it stores.
func (s *Service) GetAccountSettings(ctx context.Context, _ *lambdaapi.GetAccountSettingsRequest) (*lambdaapi.GetAccountSettingsResponse, error) {
	c := s.call(ctx)
	var count, size int64
	var reserved int32
	err := s.view(c.account, func(tx *storage.Tx) error {
		err := storage.LambdaFunctions(tx).Scan("", func(name string, fn storage.LambdaFunctionRecord) error {
			count++
			if fn.Reserved != nil {
				reserved += *fn.Reserved
			}
			return storage.LambdaVersions(tx, name).Scan("", func(_ string, v storage.LambdaVersionRecord) error {
				size += v.CodeSize
				return nil
			})
		})
		if err != nil {
			return err
		}
		return storage.LambdaLayers(tx).Scan("", func(name string, _ storage.LambdaLayerRecord) error {
			return storage.LambdaLayerVersions(tx, name).Scan("", func(_ string, v storage.LambdaLayerVersionRecord) error {
				size += v.CodeSize
				return nil
			})
		})
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.GetAccountSettingsResponse{
		AccountLimit: &lambdaapi.AccountLimit{CodeSizeUnzipped: ptr(int64(maxUnzipped)), CodeSizeZipped: ptr(int64(maxZipped)),
			ConcurrentExecutions: ptr(int32(accountConcurrency)), TotalCodeSize: ptr(int64(accountCodeStorage)),
			UnreservedConcurrentExecutions: ptr(accountConcurrency - reserved)},
		AccountUsage: &lambdaapi.AccountUsage{FunctionCount: ptr(count), TotalCodeSize: ptr(size)},
	}, nil
}

// PutFunctionConcurrency reserves concurrency for a function. Lambda keeps 100 of the
// account's 1000 unreserved ("Lambda function scaling", reserved concurrency), with the
// recorded text otherwise; a missing function is reported with :$LATEST (recorded).
func (s *Service) PutFunctionConcurrency(ctx context.Context, in *lambdaapi.PutFunctionConcurrencyRequest) (*lambdaapi.Concurrency, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	want := int32(0)
	if in.ReservedConcurrentExecutions != nil {
		want = *in.ReservedConcurrentExecutions
	}
	err = s.update(t.account, func(tx *storage.Tx) error {
		fn, err := loadFunction(tx, t, t.arn()+":"+latest)
		if err != nil {
			return err
		}
		var others int32
		err = storage.LambdaFunctions(tx).Scan("", func(name string, f storage.LambdaFunctionRecord) error {
			if name != t.name && f.Reserved != nil {
				others += *f.Reserved
			}
			return nil
		})
		if err != nil {
			return err
		}
		if int64(accountConcurrency)-int64(others)-int64(want) < minUnreserved {
			return invalid("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreserved)
		}
		var provisioned int32
		err = storage.LambdaProvisioned(tx, t.name).Scan("", func(_ string, p storage.LambdaProvisionedRecord) error {
			provisioned += p.Requested
			return nil
		})
		if err != nil {
			return err
		}
		if want < provisioned { // recorded text, spaces as AWS sends them
			return invalid(" ReservedConcurrentExecutions  %d should not be lower than function's total provisioned concurrency [%d].", want, provisioned)
		}
		fn.Reserved = ptr(want)
		return storage.LambdaFunctions(tx).Put(t.name, fn)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Concurrency{ReservedConcurrentExecutions: ptr(want)}, nil
}

// GetFunctionConcurrency returns a function's reserved concurrency ({} when none).
func (s *Service) GetFunctionConcurrency(ctx context.Context, in *lambdaapi.GetFunctionConcurrencyRequest) (*lambdaapi.GetFunctionConcurrencyResponse, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.GetFunctionConcurrencyResponse{}
	err = s.view(t.account, func(tx *storage.Tx) error {
		fn, err := loadFunction(tx, t, t.arn())
		if fn.Reserved != nil {
			out.ReservedConcurrentExecutions = ptr(*fn.Reserved)
		}
		return err
	})
	return out, err
}

// DeleteFunctionConcurrency removes a function's reserved concurrency (204).
func (s *Service) DeleteFunctionConcurrency(ctx context.Context, in *lambdaapi.DeleteFunctionConcurrencyRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	err = s.update(t.account, func(tx *storage.Tx) error {
		fn, err := loadFunction(tx, t, t.arn())
		if err != nil {
			return err
		}
		fn.Reserved = nil
		return storage.LambdaFunctions(tx).Put(t.name, fn)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Empty{}, nil
}
