package lambda

import (
	"context"
	"strings"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// tagged is the Resource of the tagging operations: a function (fn), an event source mapping
// (esm, its UUID) or a code signing config (csc, its id), each of the caller's account and
// region. Tags are kept on the resource's own record, where CreateFunction,
// CreateEventSourceMapping and CreateCodeSigningConfig put the tags they are given.
type tagged struct {
	fn    target
	esm   string
	csc   string
	where arn.Scope // the resource's account and region
}

// taggedResource resolves the Resource of the tagging operations. Lambda tags functions, event
// source mappings and code signing configs ("Resource", TagResource, Lambda API Reference);
// capacity providers, which iamlocal does not have, are answered as not found, and missing
// resources in Lambda's words for each (recorded: TestLambdaTag::test_tag_exceptions).
func (c call) taggedResource(resource string) (tagged, error) {
	a, err := arn.Parse(resource)
	kind, id, typed := strings.Cut(a.Resource, ":")
	if err == nil && typed && kind != "function" {
		switch kind {
		case "code-signing-config":
			if id := cscID(c, resource); id != "" {
				return tagged{csc: id, where: c.scope()}, nil
			}
			return tagged{}, noCSC(resource)
		case "event-source-mapping":
			if id != "" && arn.LambdaID(a, c.scope(), kind) == id {
				return tagged{esm: id, where: c.scope()}, nil
			}
			return tagged{}, noTaggedESM(resource)
		case "capacity-provider":
			return tagged{}, lambdaapi.ErrResourceNotFound("Capacity provider not found: %s", resource)
		}
		return tagged{}, lambdaapi.ErrResourceNotFound(msgNoResource)
	}
	t, err := c.resolve(resource, nil)
	if err == nil && t.qualifier != "" {
		return tagged{}, invalid("Tags on function aliases and versions are not supported. Please specify a function ARN.")
	}
	return tagged{fn: t, where: t.scope()}, err
}

func noTaggedESM(arn string) error {
	return lambdaapi.ErrResourceNotFound("Event source mapping not found: %s", arn)
}

// tags applies edit to the resource's tags and stores them; read-only when put is false.
func (r tagged) tags(tx *storage.Tx, c call, edit func(map[string]string) error, put bool) error {
	switch {
	case r.esm != "":
		rec, err := storage.LambdaESMs(tx).Get(r.esm)
		if isNotFound(err) {
			return noTaggedESM(esmARN(c, r.esm))
		}
		if err != nil {
			return err
		}
		if rec.Tags == nil {
			rec.Tags = map[string]string{}
		}
		if err := edit(rec.Tags); err != nil || !put {
			return err
		}
		return storage.LambdaESMs(tx).Put(r.esm, rec)
	case r.csc != "":
		rec, err := loadCSC(tx, c, cscARN(c, r.csc))
		if err != nil {
			return err
		}
		if rec.Tags == nil {
			rec.Tags = map[string]string{}
		}
		if err := edit(rec.Tags); err != nil || !put {
			return err
		}
		return storage.LambdaCSCs(tx).Put(r.csc, rec)
	}
	fn, err := loadFunction(tx, r.fn, r.fn.arn())
	if err != nil {
		return err
	}
	if fn.Tags == nil {
		fn.Tags = map[string]string{}
	}
	if err := edit(fn.Tags); err != nil || !put {
		return err
	}
	return storage.LambdaFunctions(tx).Put(r.fn.name, fn)
}

// TagResource adds or replaces tags of a function, event source mapping or code signing
// config (204); a resource has at most 50.
func (s *Service) TagResource(ctx context.Context, in *lambdaapi.TagResourceRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	r, err := c.taggedResource(str(in.Resource))
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, invalid("An error occurred and the request cannot be processed.")
	}
	err = s.update(r.where, func(tx *storage.Tx) error {
		return r.tags(tx, c, func(tags map[string]string) error {
			for k, v := range in.Tags {
				tags[k] = v
			}
			if len(tags) > maxTags {
				return invalid("Number of tags exceeds resource tag limit.")
			}
			return nil
		}, true)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Empty{}, nil
}

// UntagResource removes tags of a function, event source mapping or code signing config
// (204); unknown keys are ignored.
func (s *Service) UntagResource(ctx context.Context, in *lambdaapi.UntagResourceRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	r, err := c.taggedResource(str(in.Resource))
	if err != nil {
		return nil, err
	}
	err = s.update(r.where, func(tx *storage.Tx) error {
		return r.tags(tx, c, func(tags map[string]string) error {
			for _, k := range in.TagKeys {
				delete(tags, k)
			}
			return nil
		}, true)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Empty{}, nil
}

// ListTags returns the tags of a function, event source mapping or code signing config ({}
// when none).
func (s *Service) ListTags(ctx context.Context, in *lambdaapi.ListTagsRequest) (*lambdaapi.ListTagsResponse, error) {
	c := s.call(ctx)
	r, err := c.taggedResource(str(in.Resource))
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.ListTagsResponse{}
	err = s.view(r.where, func(tx *storage.Tx) error {
		return r.tags(tx, c, func(tags map[string]string) error {
			out.Tags = copyTags(tags)
			return nil
		}, false)
	})
	return out, err
}

// GetAccountSettings reports Lambda's default quotas and the account's usage in the request's
// region, where Lambda counts them ("Quotas for concurrent executions and storage apply per
// AWS Region", "Lambda quotas"): its number of functions there and the code size of every
// function version and layer version it stores there.
func (s *Service) GetAccountSettings(ctx context.Context, _ *lambdaapi.GetAccountSettingsRequest) (*lambdaapi.GetAccountSettingsResponse, error) {
	c := s.call(ctx)
	var count, size int64
	var reserved int32
	err := s.view(c.scope(), func(tx *storage.Tx) error {
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
			ConcurrentExecutions: ptr(int32(s.accountLimit)), TotalCodeSize: ptr(int64(accountCodeStorage)),
			UnreservedConcurrentExecutions: ptr(int32(s.accountLimit) - reserved)},
		AccountUsage: &lambdaapi.AccountUsage{FunctionCount: ptr(count), TotalCodeSize: ptr(size)},
	}, nil
}

// minUnreserved is the unreserved concurrency Lambda keeps in each Region: 100 ("You can
// reserve concurrency for as many functions as you like, as long as you leave at least 100
// simultaneous executions unreserved", PutFunctionConcurrency), or the whole of a smaller
// account limit (Options.AccountConcurrency), which then leaves nothing to reserve.
func (s *Service) minUnreserved() int { return min(minUnreserved, s.accountLimit) }

// PutFunctionConcurrency reserves concurrency for a function. Lambda keeps 100 of the
// account's 1000 unreserved in each region ("Lambda function scaling", reserved concurrency),
// with the recorded text otherwise; a missing function is reported with :$LATEST (recorded).
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
	err = s.update(t.scope(), func(tx *storage.Tx) error {
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
		if floor := s.minUnreserved(); int64(s.accountLimit)-int64(others)-int64(want) < int64(floor) {
			return untyped(invalid("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", floor))
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
			return untyped(invalid(" ReservedConcurrentExecutions  %d should not be lower than function's total provisioned concurrency [%d].", want, provisioned))
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
	err = s.view(t.scope(), func(tx *storage.Tx) error {
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
	err = s.update(t.scope(), func(tx *storage.Tx) error {
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
