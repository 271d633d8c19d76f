package lambda

import (
	"context"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/storage"
)

// Aliases. The texts are Lambda's, recorded in conformance/errors (TestLambdaAlias):
// "Alias already exists: <arn>", "Cannot find alias arn: <arn>" (GetAlias),
// "Alias not found: <arn>" (UpdateAlias), and the routing configuration checks.

func aliasOut(t target, a storage.LambdaAliasRecord) *lambdaapi.AliasConfiguration {
	out := &lambdaapi.AliasConfiguration{AliasArn: ptr(t.arn() + ":" + a.Name), Description: ptr(a.Description),
		FunctionVersion: ptr(a.FunctionVersion), Name: ptr(a.Name), RevisionId: ptr(a.RevisionID)}
	if len(a.Weights) > 0 {
		w := make(map[string]float64, len(a.Weights))
		for k, v := range a.Weights {
			w[k] = v
		}
		out.RoutingConfig = &lambdaapi.AliasRoutingConfiguration{AdditionalVersionWeights: w}
	}
	return out
}

// checkAliasTarget verifies the version an alias points to and its routing weights, in the
// order Lambda checks them.
func checkAliasTarget(tx *storage.Tx, t target, version string, weights map[string]float64) error {
	if len(weights) > 1 {
		return invalid("Number of items in AdditionalVersionWeights cannot be greater than 1")
	}
	for v := range weights {
		if v == version {
			return invalid("Invalid function version %s. Function version %s is already included in routing configuration.", v, v)
		}
	}
	if version == latest && len(weights) > 0 {
		return untyped(invalid("$LATEST is not supported for an alias pointing to more than 1 version"))
	}
	versions := storage.LambdaVersions(tx, t.name)
	for _, v := range append([]string{version}, keys(weights)...) {
		if !versions.Has(storage.LambdaVersionKey(v)) {
			return notFound(t.arn() + ":" + v)
		}
	}
	return nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func weightsOf(rc *lambdaapi.AliasRoutingConfiguration) map[string]float64 {
	if rc == nil || len(rc.AdditionalVersionWeights) == 0 {
		return nil
	}
	return rc.AdditionalVersionWeights
}

// CreateAlias creates an alias of a version, optionally routing part of the traffic to one
// other version (201).
func (s *Service) CreateAlias(ctx context.Context, in *lambdaapi.CreateAliasRequest) (*lambdaapi.AliasConfiguration, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	version, weights := str(in.FunctionVersion), weightsOf(in.RoutingConfig)
	var out *lambdaapi.AliasConfiguration
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if _, err := loadFunction(tx, t, t.arn()+":"+version); err != nil {
			return err
		}
		if err := checkAliasTarget(tx, t, version, weights); err != nil {
			return err
		}
		aliases := storage.LambdaAliases(tx, t.name)
		name := str(in.Name)
		if aliases.Has(name) {
			return lambdaapi.ErrResourceConflict("Alias already exists: %s", t.arn()+":"+name)
		}
		a := storage.LambdaAliasRecord{Name: name, FunctionVersion: version, Description: str(in.Description), Weights: weights, RevisionID: s.revision()}
		out = aliasOut(t, a)
		return aliases.Put(name, a)
	})
	return out, err
}

// loadAlias reads an alias of an existing function; a missing one is answered with the text
// missing followed by the alias ARN.
func loadAlias(tx *storage.Tx, t target, name string, missing string) (storage.LambdaAliasRecord, error) {
	if _, err := loadFunction(tx, t, t.arn()); err != nil {
		return storage.LambdaAliasRecord{}, err
	}
	a, err := storage.LambdaAliases(tx, t.name).Get(name)
	if isNotFound(err) {
		return a, lambdaapi.ErrResourceNotFound("%s%s", missing, t.arn()+":"+name)
	}
	return a, err
}

// GetAlias returns an alias.
func (s *Service) GetAlias(ctx context.Context, in *lambdaapi.GetAliasRequest) (*lambdaapi.AliasConfiguration, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.AliasConfiguration
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		a, err := loadAlias(tx, t, str(in.Name), "Cannot find alias arn: ")
		if err != nil {
			return err
		}
		out = aliasOut(t, a)
		return nil
	})
	return out, err
}

// UpdateAlias changes an alias's version, description or routing; RevisionId is a
// precondition on the alias's revision. An empty RoutingConfig removes the routing.
func (s *Service) UpdateAlias(ctx context.Context, in *lambdaapi.UpdateAliasRequest) (*lambdaapi.AliasConfiguration, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.AliasConfiguration
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		a, err := loadAlias(tx, t, str(in.Name), "Alias not found: ")
		if err != nil {
			return err
		}
		if r := str(in.RevisionId); r != "" && r != a.RevisionID {
			return errRevision()
		}
		setIf(&a.FunctionVersion, in.FunctionVersion)
		setIf(&a.Description, in.Description)
		if in.RoutingConfig != nil {
			a.Weights = weightsOf(in.RoutingConfig)
		}
		if err := checkAliasTarget(tx, t, a.FunctionVersion, a.Weights); err != nil {
			return err
		}
		a.RevisionID = s.revision()
		out = aliasOut(t, a)
		return storage.LambdaAliases(tx, t.name).Put(a.Name, a)
	})
	return out, err
}

// DeleteAlias deletes an alias with its resource policy, event invoke and URL configs (204).
func (s *Service) DeleteAlias(ctx context.Context, in *lambdaapi.DeleteAliasRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	name := str(in.Name)
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		// A missing alias of an existing function is deleted already: 204, as AWS answers
		// (LocalStack's TestLambdaAlias::test_alias_lifecycle deletes twice, recorded).
		if _, err := loadAlias(tx, t, name, "Alias not found: "); err != nil {
			if _, missingFn := loadFunction(tx, t, t.arn()); missingFn != nil {
				return missingFn
			}
			return nil
		}
		for _, err := range []error{
			storage.LambdaAliases(tx, t.name).Delete(name),
			ignoreMissing(storage.LambdaPolicies(tx, t.name).Delete(storage.LambdaPolicyKey(name))),
			ignoreMissing(storage.LambdaEventInvokeConfigs(tx, t.name).Delete(name)),
			ignoreMissing(storage.LambdaURLConfigs(tx, t.name).Delete(storage.LambdaPolicyKey(name))),
			ignoreMissing(storage.LambdaProvisioned(tx, t.name).Delete(name)),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.unprovision(t.scope(), t.name, name)
	return &lambdaapi.Empty{}, nil
}

// ListAliases lists a function's aliases by name, optionally those of one version.
func (s *Service) ListAliases(ctx context.Context, in *lambdaapi.ListAliasesRequest) (*lambdaapi.ListAliasesResponse, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.ListAliasesResponse{}
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		if _, err := loadFunction(tx, t, t.arn()); err != nil {
			return err
		}
		var items []pageItem[lambdaapi.AliasConfiguration]
		err := storage.LambdaAliases(tx, t.name).Scan("", func(key string, a storage.LambdaAliasRecord) error {
			if v := str(in.FunctionVersion); v == "" || v == a.FunctionVersion {
				items = append(items, pageItem[lambdaapi.AliasConfiguration]{key: key, item: *aliasOut(t, a)})
			}
			return nil
		})
		if err != nil {
			return err
		}
		out.Aliases, out.NextMarker = paginate(items, in.Marker, in.MaxItems)
		return nil
	})
	return out, err
}
