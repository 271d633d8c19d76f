package lambda

import (
	"context"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/storage"
)

// Provisioned concurrency (Lambda API Reference: PutProvisionedConcurrencyConfig,
// GetProvisionedConcurrencyConfig, DeleteProvisionedConcurrencyConfig,
// ListProvisionedConcurrencyConfigs). Configs apply to published versions and aliases only,
// and count against the function's reserved concurrency and the account's unreserved
// concurrency as Lambda counts it. With a Runner that provisions (the executor), a config
// keeps that many execution environments initialised (provisionenv.go): its Status is
// IN_PROGRESS until they are, then READY, FAILED when one cannot initialise; without one, a
// config is READY at once with all of it allocated.
//
// Texts as recorded (TestLambdaProvisionedConcurrency, TestLambdaConcurrency).

const (
	msgProvisionedLatest  = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
	msgProvisionedQualify = "The function resource provided must be an alias or a published version."
	msgNoProvisioned      = "No Provisioned Concurrency Config found for this function"
	msgAliasOnProvisioned = "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version"
	msgVersionUnderAlias  = "Version is pointed by a Provisioned Concurrency alias"
	msgOverReserved       = "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function"
	msgOverUnreserved     = "Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [%d]."
	msgBelowMinUnreserved = "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d]."
)

// provisionedTarget checks that the qualifier names an existing published version or alias:
// a missing version is "Function not found: <arn>:<version>", a missing alias (or the
// function of one) "Cannot find alias arn: <arn>:<alias>" (both recorded).
func provisionedTarget(tx *storage.Tx, t target) (version string, err error) {
	if isVersionNumber(t.qualifier) {
		if !storage.LambdaFunctions(tx).Has(t.name) || !storage.LambdaVersions(tx, t.name).Has(storage.LambdaVersionKey(t.qualifier)) {
			return "", notFound(t.qualifiedARN())
		}
		return t.qualifier, nil
	}
	if !storage.LambdaFunctions(tx).Has(t.name) {
		return "", lambdaapi.ErrResourceNotFound("Cannot find alias arn: %s", t.qualifiedARN())
	}
	a, err := storage.LambdaAliases(tx, t.name).Get(t.qualifier)
	if isNotFound(err) {
		return "", lambdaapi.ErrResourceNotFound("Cannot find alias arn: %s", t.qualifiedARN())
	}
	return a.FunctionVersion, err
}

func (c call) provisionedResolve(name string, qualifier *string, latestMsg string) (target, error) {
	t, err := c.resolve(name, qualifier)
	if err != nil {
		return t, err
	}
	if t.qualifier == "" || t.qualifier == latest {
		return t, invalid("%s", latestMsg)
	}
	return t, nil
}

// PutProvisionedConcurrencyConfig sets a version's or alias's provisioned concurrency.
func (s *Service) PutProvisionedConcurrencyConfig(ctx context.Context, in *lambdaapi.PutProvisionedConcurrencyConfigRequest) (*lambdaapi.PutProvisionedConcurrencyConfigResponse, error) {
	c := s.call(ctx)
	t, err := c.provisionedResolve(str(in.FunctionName), in.Qualifier, msgProvisionedLatest)
	if err != nil {
		return nil, err
	}
	want := orZero(in.ProvisionedConcurrentExecutions)
	rec := storage.LambdaProvisionedRecord{V: 1, Qualifier: t.qualifier, Requested: want, LastModified: c.now}
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		version, err := provisionedTarget(tx, t)
		if err != nil {
			return err
		}
		// A version and an alias pointing at it cannot both be provisioned.
		var conflict error
		var total int32 = want
		aliases := storage.LambdaAliases(tx, t.name)
		err = storage.LambdaProvisioned(tx, t.name).Scan("", func(_ string, p storage.LambdaProvisionedRecord) error {
			if p.Qualifier == t.qualifier {
				return nil
			}
			total += p.Requested
			switch {
			case isVersionNumber(t.qualifier) && !isVersionNumber(p.Qualifier):
				if a, err := aliases.Get(p.Qualifier); err == nil && a.FunctionVersion == t.qualifier && conflict == nil {
					conflict = lambdaapi.ErrResourceConflict(msgVersionUnderAlias)
				}
			case !isVersionNumber(t.qualifier) && p.Qualifier == version && conflict == nil:
				conflict = lambdaapi.ErrResourceConflict(msgAliasOnProvisioned)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if conflict != nil {
			return conflict
		}
		fn, err := storage.LambdaFunctions(tx).Get(t.name)
		if err != nil {
			return err
		}
		if fn.Reserved != nil {
			if total > *fn.Reserved {
				return invalid(msgOverReserved)
			}
		} else {
			var reserved int64
			err := storage.LambdaFunctions(tx).Scan("", func(_ string, f storage.LambdaFunctionRecord) error {
				if f.Reserved != nil {
					reserved += int64(*f.Reserved)
				}
				return nil
			})
			if err != nil {
				return err
			}
			unreserved := int64(s.accountLimit) - reserved
			if int64(total) > unreserved {
				return untyped(invalid(msgOverUnreserved, unreserved))
			}
			if floor := s.minUnreserved(); unreserved-int64(total) < int64(floor) {
				return untyped(invalid(msgBelowMinUnreserved, floor))
			}
		}
		if err := s.reviseProvisioned(tx, t.name, version); err != nil {
			return err
		}
		return storage.LambdaProvisioned(tx, t.name).Put(t.qualifier, rec)
	})
	if err != nil {
		return nil, err
	}
	st := s.provision(ctx, t, want, c.now, true)
	return &lambdaapi.PutProvisionedConcurrencyConfigResponse{AllocatedProvisionedConcurrentExecutions: ptr(st.allocated),
		AvailableProvisionedConcurrentExecutions: ptr(st.allocated), RequestedProvisionedConcurrentExecutions: ptr(want),
		LastModified: ptr(lastModified(c.now)), Status: ptr(st.status), StatusReason: st.reason}, nil
}

// reviseProvisioned gives the published version provisioned concurrency is put on (directly
// or through an alias) a new RevisionId, as Lambda does (recorded:
// TestLambdaConcurrency::test_lambda_provisioned_concurrency_moves_with_alias, where version
// 1's RevisionId before PutProvisionedConcurrencyConfig on its alias differs from the one
// GetFunction of the alias shows once the configuration is READY).
func (s *Service) reviseProvisioned(tx *storage.Tx, name, version string) error {
	if !isVersionNumber(version) {
		return nil
	}
	versions := storage.LambdaVersions(tx, name)
	v, err := versions.Get(storage.LambdaVersionKey(version))
	if err != nil {
		return err
	}
	v.RevisionID = s.revision()
	return versions.Put(storage.LambdaVersionKey(version), v)
}

func loadProvisioned(tx *storage.Tx, t target) (storage.LambdaProvisionedRecord, error) {
	if _, err := provisionedTarget(tx, t); err != nil {
		return storage.LambdaProvisionedRecord{}, err
	}
	r, err := storage.LambdaProvisioned(tx, t.name).Get(t.qualifier)
	if isNotFound(err) {
		return r, lambdaapi.ErrProvisionedConcurrencyConfigNotFound(msgNoProvisioned)
	}
	return r, err
}

// GetProvisionedConcurrencyConfig reports a version's or alias's config.
func (s *Service) GetProvisionedConcurrencyConfig(ctx context.Context, in *lambdaapi.GetProvisionedConcurrencyConfigRequest) (*lambdaapi.GetProvisionedConcurrencyConfigResponse, error) {
	c := s.call(ctx)
	t, err := c.provisionedResolve(str(in.FunctionName), in.Qualifier, msgProvisionedQualify)
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.GetProvisionedConcurrencyConfigResponse
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		r, err := loadProvisioned(tx, t)
		if err == nil {
			st := s.provisionedState(t, r.Requested)
			out = &lambdaapi.GetProvisionedConcurrencyConfigResponse{AllocatedProvisionedConcurrentExecutions: ptr(st.allocated),
				AvailableProvisionedConcurrentExecutions: ptr(st.allocated), RequestedProvisionedConcurrentExecutions: ptr(r.Requested),
				LastModified: ptr(lastModified(r.LastModified)), Status: ptr(st.status), StatusReason: st.reason}
		}
		return err
	})
	return out, err
}

// DeleteProvisionedConcurrencyConfig removes a version's or alias's config (204).
func (s *Service) DeleteProvisionedConcurrencyConfig(ctx context.Context, in *lambdaapi.DeleteProvisionedConcurrencyConfigRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	t, err := c.provisionedResolve(str(in.FunctionName), in.Qualifier, msgProvisionedQualify)
	if err != nil {
		return nil, err
	}
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		// A missing version is "Function not found: ...:10" and a missing alias "Cannot find
		// alias arn: ..." (404, delete_provisioned_functionname_doesnotexist), but a version or
		// alias without a config has nothing to delete: 204.
		if _, err := provisionedTarget(tx, t); err != nil {
			return err
		}
		return ignoreMissing(storage.LambdaProvisioned(tx, t.name).Delete(t.qualifier))
	})
	if err != nil {
		return nil, err
	}
	s.unprovision(t.scope(), t.name, t.qualifier)
	return &lambdaapi.Empty{}, nil
}

// ListProvisionedConcurrencyConfigs lists a function's configs by qualifier.
func (s *Service) ListProvisionedConcurrencyConfigs(ctx context.Context, in *lambdaapi.ListProvisionedConcurrencyConfigsRequest) (*lambdaapi.ListProvisionedConcurrencyConfigsResponse, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.ListProvisionedConcurrencyConfigsResponse{}
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		if _, err := loadFunction(tx, t, t.arn()); err != nil {
			return err
		}
		var items []pageItem[lambdaapi.ProvisionedConcurrencyConfigListItem]
		err := storage.LambdaProvisioned(tx, t.name).Scan("", func(q string, r storage.LambdaProvisionedRecord) error {
			qt := t
			qt.qualifier = q
			st := s.provisionedState(qt, r.Requested)
			items = append(items, pageItem[lambdaapi.ProvisionedConcurrencyConfigListItem]{key: storage.LambdaVersionKey(q),
				item: lambdaapi.ProvisionedConcurrencyConfigListItem{FunctionArn: ptr(t.versionARN(q)),
					AllocatedProvisionedConcurrentExecutions: ptr(st.allocated), AvailableProvisionedConcurrentExecutions: ptr(st.allocated),
					RequestedProvisionedConcurrentExecutions: ptr(r.Requested), LastModified: ptr(lastModified(r.LastModified)),
					Status: ptr(st.status), StatusReason: st.reason}})
			return nil
		})
		out.ProvisionedConcurrencyConfigs, out.NextMarker = paginate(items, in.Marker, in.MaxItems)
		return err
	})
	return out, err
}
