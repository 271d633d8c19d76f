package lambda

import (
	"context"
	"strings"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// Code signing configurations (Lambda API Reference: CreateCodeSigningConfig,
// GetCodeSigningConfig, UpdateCodeSigningConfig, DeleteCodeSigningConfig,
// ListCodeSigningConfigs, PutFunctionCodeSigningConfig, GetFunctionCodeSigningConfig,
// DeleteFunctionCodeSigningConfig, ListFunctionsByCodeSigningConfig). The configuration is
// stored and attached; iamlocal does not verify signatures of deployment packages (it has no
// AWS Signer), so a config changes nothing about what CreateFunction accepts.
//
// Texts as recorded (TestCodeSigningConfig::test_code_signing_not_found_excs): "The Lambda
// code signing configuration <arn> can not be found." (ResourceNotFoundException) and, when a
// function is attached to a missing config, "The code signing configuration cannot be found.
// Check that the provided configuration is not deleted: <arn>."
// (CodeSigningConfigNotFoundException).

const settingsKey = "*"

func cscARN(c call, id string) string { return c.scope().CodeSigningConfig(id).String() }

// cscID is the id at the end of a code signing config ARN ("" when it is not one of this
// partition, region and account).
func cscID(c call, text string) string {
	a, err := arn.Parse(text)
	if err != nil {
		return ""
	}
	return arn.LambdaID(a, c.scope(), "code-signing-config")
}

func noCSC(arn string) error {
	return untyped(lambdaapi.ErrResourceNotFound("The Lambda code signing configuration %s can not be found.", arn))
}

func loadCSC(tx *storage.Tx, c call, arn string) (storage.LambdaCSCRecord, error) {
	id := cscID(c, arn)
	if id == "" {
		return storage.LambdaCSCRecord{}, noCSC(arn)
	}
	r, err := storage.LambdaCSCs(tx).Get(id)
	if isNotFound(err) {
		return r, noCSC(arn)
	}
	return r, err
}

func cscOut(c call, r storage.LambdaCSCRecord) *lambdaapi.CodeSigningConfig {
	return &lambdaapi.CodeSigningConfig{CodeSigningConfigArn: ptr(cscARN(c, r.ID)), CodeSigningConfigId: ptr(r.ID),
		Description:         ptr(r.Description),
		AllowedPublishers:   &lambdaapi.AllowedPublishers{SigningProfileVersionArns: append([]string{}, r.SigningProfiles...)},
		CodeSigningPolicies: &lambdaapi.CodeSigningPolicies{UntrustedArtifactOnDeployment: ptr(r.UntrustedArtifact)},
		LastModified:        ptr(lastModified(r.LastModified))}
}

// newCSCID is "csc-" and 17 lower-case hex digits, the shape of Lambda's ids.
func (s *Service) newCSCID() string {
	return "csc-" + strings.ReplaceAll(s.ids.UUID(), "-", "")[:17]
}

// CreateCodeSigningConfig stores a configuration; the policy defaults to Warn.
func (s *Service) CreateCodeSigningConfig(ctx context.Context, in *lambdaapi.CreateCodeSigningConfigRequest) (*lambdaapi.CreateCodeSigningConfigResponse, error) {
	c := s.call(ctx)
	r := storage.LambdaCSCRecord{V: 1, ID: s.newCSCID(), Description: str(in.Description), UntrustedArtifact: "Warn",
		Tags: copyTags(in.Tags), LastModified: c.now}
	if in.AllowedPublishers != nil {
		r.SigningProfiles = in.AllowedPublishers.SigningProfileVersionArns
	}
	if in.CodeSigningPolicies != nil && in.CodeSigningPolicies.UntrustedArtifactOnDeployment != nil {
		r.UntrustedArtifact = *in.CodeSigningPolicies.UntrustedArtifactOnDeployment
	}
	err := s.update(c.scope(), func(tx *storage.Tx) error { return storage.LambdaCSCs(tx).Insert(r.ID, r) })
	if err != nil {
		return nil, err
	}
	return &lambdaapi.CreateCodeSigningConfigResponse{CodeSigningConfig: cscOut(c, r)}, nil
}

// GetCodeSigningConfig reports a configuration.
func (s *Service) GetCodeSigningConfig(ctx context.Context, in *lambdaapi.GetCodeSigningConfigRequest) (*lambdaapi.GetCodeSigningConfigResponse, error) {
	c := s.call(ctx)
	out := &lambdaapi.GetCodeSigningConfigResponse{}
	err := s.view(c.scope(), func(tx *storage.Tx) error {
		r, err := loadCSC(tx, c, str(in.CodeSigningConfigArn))
		if err == nil {
			out.CodeSigningConfig = cscOut(c, r)
		}
		return err
	})
	return out, err
}

// UpdateCodeSigningConfig changes the given members.
func (s *Service) UpdateCodeSigningConfig(ctx context.Context, in *lambdaapi.UpdateCodeSigningConfigRequest) (*lambdaapi.UpdateCodeSigningConfigResponse, error) {
	c := s.call(ctx)
	out := &lambdaapi.UpdateCodeSigningConfigResponse{}
	err := s.update(c.scope(), func(tx *storage.Tx) error {
		r, err := loadCSC(tx, c, str(in.CodeSigningConfigArn))
		if err != nil {
			return err
		}
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.AllowedPublishers != nil {
			r.SigningProfiles = in.AllowedPublishers.SigningProfileVersionArns
		}
		if in.CodeSigningPolicies != nil && in.CodeSigningPolicies.UntrustedArtifactOnDeployment != nil {
			r.UntrustedArtifact = *in.CodeSigningPolicies.UntrustedArtifactOnDeployment
		}
		r.LastModified = c.now
		out.CodeSigningConfig = cscOut(c, r)
		return storage.LambdaCSCs(tx).Put(r.ID, r)
	})
	return out, err
}

// cscUsers lists the functions (by name) a configuration is attached to.
func cscUsers(tx *storage.Tx, id string) ([]string, error) {
	var names []string
	err := storage.LambdaFunctions(tx).Scan("", func(name string, _ storage.LambdaFunctionRecord) error {
		set, err := storage.LambdaFunctionSettings(tx, name).Get(settingsKey)
		if err == nil && set.CodeSigning == id {
			names = append(names, name)
		}
		return ignoreMissing(err)
	})
	return names, err
}

// DeleteCodeSigningConfig removes a configuration no function uses (AWS: "You can delete a
// code signing configuration only if no function is using it").
func (s *Service) DeleteCodeSigningConfig(ctx context.Context, in *lambdaapi.DeleteCodeSigningConfigRequest) (*lambdaapi.DeleteCodeSigningConfigResponse, error) {
	c := s.call(ctx)
	err := s.update(c.scope(), func(tx *storage.Tx) error {
		r, err := loadCSC(tx, c, str(in.CodeSigningConfigArn))
		if err != nil {
			return err
		}
		users, err := cscUsers(tx, r.ID)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return lambdaapi.ErrResourceConflict("The code signing configuration cannot be deleted because it is used by one or more functions.")
		}
		return storage.LambdaCSCs(tx).Delete(r.ID)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.DeleteCodeSigningConfigResponse{}, nil
}

// ListCodeSigningConfigs lists configurations by id.
func (s *Service) ListCodeSigningConfigs(ctx context.Context, in *lambdaapi.ListCodeSigningConfigsRequest) (*lambdaapi.ListCodeSigningConfigsResponse, error) {
	c := s.call(ctx)
	out := &lambdaapi.ListCodeSigningConfigsResponse{}
	err := s.view(c.scope(), func(tx *storage.Tx) error {
		var items []pageItem[lambdaapi.CodeSigningConfig]
		err := storage.LambdaCSCs(tx).Scan("", func(id string, r storage.LambdaCSCRecord) error {
			items = append(items, pageItem[lambdaapi.CodeSigningConfig]{key: id, item: *cscOut(c, r)})
			return nil
		})
		out.CodeSigningConfigs, out.NextMarker = paginate(items, in.Marker, in.MaxItems)
		return err
	})
	return out, err
}

// ListFunctionsByCodeSigningConfig lists the ARNs of the functions using a configuration.
func (s *Service) ListFunctionsByCodeSigningConfig(ctx context.Context, in *lambdaapi.ListFunctionsByCodeSigningConfigRequest) (*lambdaapi.ListFunctionsByCodeSigningConfigResponse, error) {
	c := s.call(ctx)
	out := &lambdaapi.ListFunctionsByCodeSigningConfigResponse{}
	err := s.view(c.scope(), func(tx *storage.Tx) error {
		r, err := loadCSC(tx, c, str(in.CodeSigningConfigArn))
		if err != nil {
			return err
		}
		users, err := cscUsers(tx, r.ID)
		var items []pageItem[string]
		for _, name := range users {
			items = append(items, pageItem[string]{key: name, item: c.function(name, "").arn()})
		}
		out.FunctionArns, out.NextMarker = paginate(items, in.Marker, in.MaxItems)
		return err
	})
	return out, err
}

// PutFunctionCodeSigningConfig attaches a configuration to a function.
func (s *Service) PutFunctionCodeSigningConfig(ctx context.Context, in *lambdaapi.PutFunctionCodeSigningConfigRequest) (*lambdaapi.PutFunctionCodeSigningConfigResponse, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	arn := str(in.CodeSigningConfigArn)
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if _, err := loadFunction(tx, t, t.arn()); err != nil {
			return err
		}
		id := cscID(c, arn)
		if id == "" || !storage.LambdaCSCs(tx).Has(id) {
			return lambdaapi.ErrCodeSigningConfigNotFound("The code signing configuration cannot be found. Check that the provided configuration is not deleted: %s.", arn)
		}
		return editSettings(tx, t.name, func(r *storage.LambdaFunctionSettingsRecord) { r.CodeSigning = id })
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.PutFunctionCodeSigningConfigResponse{CodeSigningConfigArn: ptr(arn), FunctionName: ptr(t.name)}, nil
}

// GetFunctionCodeSigningConfig reports a function's configuration ARN ("" when none).
func (s *Service) GetFunctionCodeSigningConfig(ctx context.Context, in *lambdaapi.GetFunctionCodeSigningConfigRequest) (*lambdaapi.GetFunctionCodeSigningConfigResponse, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.GetFunctionCodeSigningConfigResponse{FunctionName: ptr(t.name), CodeSigningConfigArn: ptr("")}
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		if _, err := loadFunction(tx, t, t.arn()); err != nil {
			return err
		}
		set, err := storage.LambdaFunctionSettings(tx, t.name).Get(settingsKey)
		if err == nil && set.CodeSigning != "" {
			out.CodeSigningConfigArn = ptr(cscARN(c, set.CodeSigning))
		}
		return ignoreMissing(err)
	})
	return out, err
}

// DeleteFunctionCodeSigningConfig detaches a function's configuration (204).
func (s *Service) DeleteFunctionCodeSigningConfig(ctx context.Context, in *lambdaapi.DeleteFunctionCodeSigningConfigRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if _, err := loadFunction(tx, t, t.arn()); err != nil {
			return err
		}
		return editSettings(tx, t.name, func(r *storage.LambdaFunctionSettingsRecord) { r.CodeSigning = "" })
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Empty{}, nil
}

// editSettings reads, changes and writes a function's settings record.
func editSettings(tx *storage.Tx, name string, edit func(*storage.LambdaFunctionSettingsRecord)) error {
	table := storage.LambdaFunctionSettings(tx, name)
	r, err := table.Get(settingsKey)
	if err != nil && !isNotFound(err) {
		return err
	}
	r.V = 1
	edit(&r)
	return table.Put(settingsKey, r)
}
