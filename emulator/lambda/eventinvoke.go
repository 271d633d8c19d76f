package lambda

import (
	"context"
	"fmt"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// Event invoke configs (asynchronous invocation settings) of $LATEST, a version or an alias.
// Texts as recorded (TestLambdaEventInvokeConfig): "The function doesn't exist." for a missing
// function or qualifier on Put, Update and List; "The function <arn> doesn't have an
// EventInvokeConfig" on Get, Delete and Update when there is no config.

const msgNoFunction = "The function doesn't exist."

func noEventInvokeConfig(t target, q string) error {
	return lambdaapi.ErrResourceNotFound("The function %s doesn't have an EventInvokeConfig", t.versionARN(q))
}

func eventQualifier(t target) string { return nonEmpty(t.qualifier, latest) }

// qualifierExists reports whether $LATEST, the version or the alias exists.
func qualifierExists(tx *storage.Tx, t target, q string) bool {
	if !storage.LambdaFunctions(tx).Has(t.name) {
		return false
	}
	if q == latest || isVersionNumber(q) {
		return storage.LambdaVersions(tx, t.name).Has(storage.LambdaVersionKey(q))
	}
	return storage.LambdaAliases(tx, t.name).Has(q)
}

func eventInvokeOut(t target, r storage.LambdaEventInvokeRecord) *lambdaapi.FunctionEventInvokeConfig {
	out := &lambdaapi.FunctionEventInvokeConfig{FunctionArn: ptr(t.versionARN(r.Qualifier)),
		LastModified: ptr(r.LastModified), MaximumEventAgeInSeconds: r.MaxEventAge, MaximumRetryAttempts: r.MaxRetryAttempts,
		DestinationConfig: &lambdaapi.DestinationConfig{OnFailure: &lambdaapi.OnFailure{}, OnSuccess: &lambdaapi.OnSuccess{}}}
	if r.OnFailure != "" {
		out.DestinationConfig.OnFailure.Destination = ptr(r.OnFailure)
	}
	if r.OnSuccess != "" {
		out.DestinationConfig.OnSuccess.Destination = ptr(r.OnSuccess)
	}
	return out
}

// checkDestinations applies Lambda's rules to destinations: SQS, SNS, EventBridge, S3 (on
// failure) or an existing other function of the account.
func checkDestinations(tx *storage.Tx, t target, dc *lambdaapi.DestinationConfig) error {
	if dc == nil {
		return nil
	}
	var onSuccess, onFailure string
	if dc.OnSuccess != nil {
		onSuccess = str(dc.OnSuccess.Destination)
	}
	if dc.OnFailure != nil {
		onFailure = str(dc.OnFailure.Destination)
	}
	for _, d := range []struct{ arn, kind string }{{onSuccess, "onSuccess"}, {onFailure, "onFailure"}} {
		if d.arn == "" {
			continue
		}
		service := ""
		if a, err := arn.Parse(d.arn); err == nil {
			service = a.Service
		}
		switch {
		case service == "sqs" || service == "sns" || service == "events":
		case service == "s3" && d.kind == "onFailure":
		case service == "lambda":
			dest, err := ParseFunctionName(d.arn)
			if err != nil || dest.Account != "" && dest.Account != t.account {
				continue
			}
			if dest.Name == t.name {
				return invalid("You can't specify the function as a destination for itself.")
			}
			if !storage.LambdaFunctions(tx).Has(dest.Name) {
				return invalid("The destination ARN %s is invalid.", d.arn)
			}
		default:
			success, failure := "null", "null"
			if onSuccess != "" {
				success = fmt.Sprintf("OnSuccess(destination=%s)", onSuccess)
			}
			if onFailure != "" {
				failure = fmt.Sprintf("OnFailure(destination=%s)", onFailure)
			}
			return invalid("The provided destination config DestinationConfig(onSuccess=%s, onFailure=%s) is invalid.", success, failure)
		}
	}
	return nil
}

// eventInvokeWrite is shared by Put (replace) and Update (merge).
func (s *Service) eventInvokeWrite(ctx context.Context, name string, qualifier *string, retries, age *int32, dc *lambdaapi.DestinationConfig, merge bool) (*lambdaapi.FunctionEventInvokeConfig, error) {
	c := s.call(ctx)
	t, err := c.resolve(name, qualifier)
	if err != nil {
		return nil, err
	}
	q := eventQualifier(t)
	// Decided before the write's transaction, which the authorizer's reads may not nest in.
	refused := s.destinationsRefused(ctx, t, name, q, dc)
	var out *lambdaapi.FunctionEventInvokeConfig
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if !qualifierExists(tx, t, q) {
			return lambdaapi.ErrResourceNotFound(msgNoFunction)
		}
		configs := storage.LambdaEventInvokeConfigs(tx, t.name)
		rec, err := configs.Get(q)
		if err != nil && !isNotFound(err) {
			return err
		}
		if isNotFound(err) && merge {
			return noEventInvokeConfig(t, q)
		}
		if !merge {
			rec = storage.LambdaEventInvokeRecord{Qualifier: q}
		}
		if retries == nil && age == nil && dc == nil {
			return invalid("You must specify at least one of error handling or destination setting.")
		}
		if err := checkDestinations(tx, t, dc); err != nil {
			return err
		}
		if refused != nil {
			return refused
		}
		if retries != nil || !merge {
			rec.MaxRetryAttempts = retries
		}
		if age != nil || !merge {
			rec.MaxEventAge = age
		}
		if dc != nil {
			rec.OnSuccess, rec.OnFailure = "", ""
			if dc.OnSuccess != nil {
				rec.OnSuccess = str(dc.OnSuccess.Destination)
			}
			if dc.OnFailure != nil {
				rec.OnFailure = str(dc.OnFailure.Destination)
			}
		}
		rec.LastModified = c.now
		out = eventInvokeOut(t, rec)
		return configs.Put(q, rec)
	})
	return out, err
}

// PutFunctionEventInvokeConfig sets (replaces) the asynchronous invocation settings.
func (s *Service) PutFunctionEventInvokeConfig(ctx context.Context, in *lambdaapi.PutFunctionEventInvokeConfigRequest) (*lambdaapi.FunctionEventInvokeConfig, error) {
	return s.eventInvokeWrite(ctx, str(in.FunctionName), in.Qualifier, in.MaximumRetryAttempts, in.MaximumEventAgeInSeconds, in.DestinationConfig, false)
}

// UpdateFunctionEventInvokeConfig changes the given members of an existing config.
func (s *Service) UpdateFunctionEventInvokeConfig(ctx context.Context, in *lambdaapi.UpdateFunctionEventInvokeConfigRequest) (*lambdaapi.FunctionEventInvokeConfig, error) {
	return s.eventInvokeWrite(ctx, str(in.FunctionName), in.Qualifier, in.MaximumRetryAttempts, in.MaximumEventAgeInSeconds, in.DestinationConfig, true)
}

// GetFunctionEventInvokeConfig returns the config of $LATEST, a version or an alias.
func (s *Service) GetFunctionEventInvokeConfig(ctx context.Context, in *lambdaapi.GetFunctionEventInvokeConfigRequest) (*lambdaapi.FunctionEventInvokeConfig, error) {
	c := s.call(ctx)
	t, err := c.resolve(str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	q := eventQualifier(t)
	var out *lambdaapi.FunctionEventInvokeConfig
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		rec, err := storage.LambdaEventInvokeConfigs(tx, t.name).Get(q)
		if isNotFound(err) {
			return noEventInvokeConfig(t, q)
		}
		out = eventInvokeOut(t, rec)
		return err
	})
	return out, err
}

// DeleteFunctionEventInvokeConfig deletes the config (204).
func (s *Service) DeleteFunctionEventInvokeConfig(ctx context.Context, in *lambdaapi.DeleteFunctionEventInvokeConfigRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	t, err := c.resolve(str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	q := eventQualifier(t)
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if err := storage.LambdaEventInvokeConfigs(tx, t.name).Delete(q); isNotFound(err) {
			return noEventInvokeConfig(t, q)
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Empty{}, nil
}

// ListFunctionEventInvokeConfigs lists the configs of a function's qualifiers.
func (s *Service) ListFunctionEventInvokeConfigs(ctx context.Context, in *lambdaapi.ListFunctionEventInvokeConfigsRequest) (*lambdaapi.ListFunctionEventInvokeConfigsResponse, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.ListFunctionEventInvokeConfigsResponse{}
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		if !storage.LambdaFunctions(tx).Has(t.name) {
			return lambdaapi.ErrResourceNotFound(msgNoFunction)
		}
		var items []pageItem[lambdaapi.FunctionEventInvokeConfig]
		err := storage.LambdaEventInvokeConfigs(tx, t.name).Scan("", func(key string, r storage.LambdaEventInvokeRecord) error {
			items = append(items, pageItem[lambdaapi.FunctionEventInvokeConfig]{key: storage.LambdaVersionKey(key), item: *eventInvokeOut(t, r)})
			return nil
		})
		if err != nil {
			return err
		}
		out.FunctionEventInvokeConfigs, out.NextMarker = paginate(items, in.Marker, in.MaxItems)
		return nil
	})
	return out, err
}
