package lambda

import (
	"context"
	"slices"
	"strconv"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// Layers of the caller's account and region. Versions are numbered by a bucket sequence that
// survives the deletion of every version, as Lambda's numbering does; deleting a missing
// version is not an error (recorded: delete_nonexistent_version_response 204). Texts as
// recorded in TestLambdaLayer. Like GetFunction's Code.Location, a version's
// Content.Location is a download URL iamlocal serves (codelocation.go): AWS answers with a
// presigned S3 URL (LayerVersionContentOutput: "Location: A link to the layer archive in Amazon
// S3 that is valid for 10 minutes").

// layerRef is a LayerName (a name or a layer ARN) read as the authorizer reads it
// (arn.ResolveLayer): the layer's name, and whether it is a layer of the request's region and
// the caller's account. Layers are regional and a Region's endpoint holds only its own, so a
// layer ARN of another region names nothing the request can reach: it reads as a layer
// without versions (Get* not found, ListLayerVersions empty, DeleteLayerVersion a no-op), and
// PublishLayerVersion refuses it. iamlocal has no capture of AWS answering such a request;
// these are the answers it gives for a layer that does not exist. A layer of another account
// is read the same way, except by GetLayerVersion (sharedLayer): a layer version permission
// shares only lambda:GetLayerVersion (the model's LayerPermissionAllowedAction), so no other
// operation reaches another account's layer, and none acts on the caller's own layer of that
// name.
type layerRef struct {
	name  string
	here  bool
	named arn.Layer // the layer as the LayerName names it
}

func (c call) layer(s string) layerRef {
	l := arn.ResolveLayer(c.scope(), s)
	return layerRef{name: l.Name, here: l.Region == c.region && (l.Account == "" || l.Account == c.account), named: l}
}

// sharedLayer reads a LayerName for GetLayerVersion: a layer of the request's region is read
// in the account its ARN names, which for another account's layer the authorizer has let
// through only under that layer version's permissions ("Granting layer access to other
// accounts"). owner is the call as seen from that account, which the answer's ARNs name.
func (c call) sharedLayer(s string) (owner call, layer layerRef) {
	owner, layer = c, c.layer(s)
	if l := layer.named; l.Region == c.region && l.Account != "" && l.Account != c.account {
		owner.account, layer.here = l.Account, true
	}
	return owner, layer
}

// layerVersionOut renders a layer version of the account and region of c.
func (s *Service) layerVersionOut(c call, name string, v storage.LambdaLayerVersionRecord) *lambdaapi.GetLayerVersionResponse {
	out := &lambdaapi.GetLayerVersionResponse{
		CompatibleArchitectures: append([]string{}, v.CompatibleArchitectures...),
		CompatibleRuntimes:      append([]string{}, v.CompatibleRuntimes...),
		Content:                 &lambdaapi.LayerVersionContentOutput{CodeSha256: ptr(v.CodeSha256), CodeSize: ptr(v.CodeSize)},
		CreatedDate:             ptr(lastModified(v.Created)), Description: ptr(v.Description),
		LayerArn: ptr(c.scope().Layer(name).String()), LayerVersionArn: ptr(c.scope().LayerVersion(name, v.Version).String()),
		Version: ptr(v.Version),
	}
	if v.LicenseInfo != "" {
		out.LicenseInfo = ptr(v.LicenseInfo)
	}
	if loc := s.codeLocation(c.scope(), v.CodeKey); loc != "" {
		out.Content.Location = ptr(loc)
	}
	return out
}

func (s *Service) listItem(c call, name string, v storage.LambdaLayerVersionRecord) lambdaapi.LayerVersionsListItem {
	o := s.layerVersionOut(c, name, v)
	return lambdaapi.LayerVersionsListItem{CompatibleArchitectures: o.CompatibleArchitectures, CompatibleRuntimes: o.CompatibleRuntimes,
		CreatedDate: o.CreatedDate, Description: o.Description, LayerVersionArn: o.LayerVersionArn, LicenseInfo: o.LicenseInfo, Version: o.Version}
}

// PublishLayerVersion stores a new version of a layer from a zip (201).
func (s *Service) PublishLayerVersion(ctx context.Context, in *lambdaapi.PublishLayerVersionRequest) (*lambdaapi.PublishLayerVersionResponse, error) {
	c := s.call(ctx)
	layer := c.layer(str(in.LayerName))
	if !layer.here {
		return nil, lambdaapi.ErrResourceNotFound(msgNoResource)
	}
	name := layer.name
	var src lambdaapi.LayerVersionContentInput
	if in.Content != nil {
		src = *in.Content
	}
	cd, err := codeFromInput("Zip", src.ZipFile, str(src.S3Bucket), "")
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.GetLayerVersionResponse
	err = s.update(c.scope(), func(tx *storage.Tx) error {
		if err := storage.LambdaLayers(tx).Put(name, storage.LambdaLayerRecord{Name: name}); err != nil {
			return err
		}
		if err := cd.store(tx); err != nil {
			return err
		}
		versions := storage.LambdaLayerVersions(tx, name)
		n, err := versions.NextSequence()
		if err != nil {
			return err
		}
		v := storage.LambdaLayerVersionRecord{Version: int64(n), Description: str(in.Description), LicenseInfo: str(in.LicenseInfo),
			CompatibleRuntimes: append([]string{}, in.CompatibleRuntimes...), CompatibleArchitectures: append([]string{}, in.CompatibleArchitectures...),
			CodeKey: cd.key, CodeSha256: cd.sha, CodeSize: cd.size, Created: c.now}
		out = s.layerVersionOut(c, name, v)
		return versions.Put(storage.LambdaVersionKey(strconv.FormatUint(n, 10)), v)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.PublishLayerVersionResponse{CompatibleArchitectures: out.CompatibleArchitectures, CompatibleRuntimes: out.CompatibleRuntimes,
		Content: out.Content, CreatedDate: out.CreatedDate, Description: out.Description, LayerArn: out.LayerArn,
		LayerVersionArn: out.LayerVersionArn, LicenseInfo: out.LicenseInfo, Version: out.Version}, nil
}

// loadLayerVersion reads a layer version (found false when there is none, or the layer is of
// another region); versions below 1 are refused with Lambda's text.
func loadLayerVersion(tx *storage.Tx, layer layerRef, version *int64) (storage.LambdaLayerVersionRecord, bool, error) {
	n := int64(0)
	if version != nil {
		n = *version
	}
	if n < 1 {
		return storage.LambdaLayerVersionRecord{}, false, invalid("Layer Version Cannot be less than 1")
	}
	if !layer.here {
		return storage.LambdaLayerVersionRecord{}, false, nil
	}
	v, err := storage.LambdaLayerVersions(tx, layer.name).Get(storage.LambdaVersionKey(strconv.FormatInt(n, 10)))
	if isNotFound(err) {
		return v, false, nil
	}
	return v, err == nil, err
}

// GetLayerVersion returns a layer version, of the caller's account or of the account its ARN
// names.
func (s *Service) GetLayerVersion(ctx context.Context, in *lambdaapi.GetLayerVersionRequest) (*lambdaapi.GetLayerVersionResponse, error) {
	owner, layer := s.call(ctx).sharedLayer(str(in.LayerName))
	var out *lambdaapi.GetLayerVersionResponse
	err := s.view(owner.scope(), func(tx *storage.Tx) error {
		v, found, err := loadLayerVersion(tx, layer, in.VersionNumber)
		if err == nil && !found {
			err = lambdaapi.ErrResourceNotFound(msgNoResource)
		}
		out = s.layerVersionOut(owner, layer.name, v)
		return err
	})
	return out, err
}

// GetLayerVersionByArn returns a layer version named by its ARN.
func (s *Service) GetLayerVersionByArn(ctx context.Context, in *lambdaapi.GetLayerVersionByArnRequest) (*lambdaapi.GetLayerVersionResponse, error) {
	v, err := arn.ParseLayerVersion(str(in.Arn))
	if err != nil {
		return nil, lambdaapi.ErrResourceNotFound(msgNoResource)
	}
	return s.GetLayerVersion(ctx, &lambdaapi.GetLayerVersionRequest{LayerName: ptr(v.Layer.ARN().String()), VersionNumber: &v.Version})
}

// matches applies ListLayers' and ListLayerVersions' runtime and architecture filters.
func matches(v storage.LambdaLayerVersionRecord, runtime, arch *string) bool {
	return (str(runtime) == "" || slices.Contains(v.CompatibleRuntimes, *runtime)) &&
		(str(arch) == "" || slices.Contains(v.CompatibleArchitectures, *arch))
}

// ListLayerVersions lists a layer's versions, newest first; an unknown layer has none.
func (s *Service) ListLayerVersions(ctx context.Context, in *lambdaapi.ListLayerVersionsRequest) (*lambdaapi.ListLayerVersionsResponse, error) {
	c := s.call(ctx)
	layer := c.layer(str(in.LayerName))
	name := layer.name
	out := &lambdaapi.ListLayerVersionsResponse{}
	err := s.view(c.scope(), func(tx *storage.Tx) error {
		var items []pageItem[lambdaapi.LayerVersionsListItem]
		if !layer.here {
			out.LayerVersions, out.NextMarker = paginate(items, in.Marker, in.MaxItems)
			return nil
		}
		err := storage.LambdaLayerVersions(tx, name).Scan("", func(key string, v storage.LambdaLayerVersionRecord) error {
			if matches(v, in.CompatibleRuntime, in.CompatibleArchitecture) {
				items = append(items, pageItem[lambdaapi.LayerVersionsListItem]{key: descending(v.Version), item: s.listItem(c, name, v)})
			}
			return nil
		})
		if err != nil {
			return err
		}
		out.LayerVersions, out.NextMarker = paginate(items, in.Marker, in.MaxItems)
		return nil
	})
	return out, err
}

// descending is a key that sorts larger versions first.
func descending(n int64) string { return strconv.FormatInt(1<<62-n, 10) }

// ListLayers lists the account's layers with their latest version matching the filters.
func (s *Service) ListLayers(ctx context.Context, in *lambdaapi.ListLayersRequest) (*lambdaapi.ListLayersResponse, error) {
	c := s.call(ctx)
	out := &lambdaapi.ListLayersResponse{}
	err := s.view(c.scope(), func(tx *storage.Tx) error {
		var items []pageItem[lambdaapi.LayersListItem]
		err := storage.LambdaLayers(tx).Scan("", func(name string, _ storage.LambdaLayerRecord) error {
			var newest *storage.LambdaLayerVersionRecord
			err := storage.LambdaLayerVersions(tx, name).Scan("", func(_ string, v storage.LambdaLayerVersionRecord) error {
				if matches(v, in.CompatibleRuntime, in.CompatibleArchitecture) {
					newest = &v
				}
				return nil
			})
			if err != nil || newest == nil {
				return err
			}
			item := s.listItem(c, name, *newest)
			items = append(items, pageItem[lambdaapi.LayersListItem]{key: name, item: lambdaapi.LayersListItem{
				LayerName: ptr(name), LayerArn: ptr(c.scope().Layer(name).String()), LatestMatchingVersion: &item}})
			return nil
		})
		if err != nil {
			return err
		}
		out.Layers, out.NextMarker = paginate(items, in.Marker, in.MaxItems)
		return nil
	})
	return out, err
}

// DeleteLayerVersion deletes a layer version (204, also when it does not exist).
func (s *Service) DeleteLayerVersion(ctx context.Context, in *lambdaapi.DeleteLayerVersionRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	layer := c.layer(str(in.LayerName))
	err := s.update(c.scope(), func(tx *storage.Tx) error {
		v, found, err := loadLayerVersion(tx, layer, in.VersionNumber)
		if err != nil || !found {
			return err
		}
		if err := storage.LambdaLayerVersions(tx, layer.name).Delete(storage.LambdaVersionKey(strconv.FormatInt(v.Version, 10))); err != nil {
			return err
		}
		return releaseCode(tx, v.CodeKey)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Empty{}, nil
}

// layerPolicyVersion reads a layer version for the policy operations, whose missing-version
// text names it ("Layer version <arn> does not exist.", recorded).
func layerPolicyVersion(tx *storage.Tx, c call, layer layerRef, version *int64) (storage.LambdaLayerVersionRecord, string, error) {
	v, found, err := loadLayerVersion(tx, layer, version)
	if err != nil {
		return v, "", err
	}
	arn := c.scope().LayerVersion(layer.name, *version).String()
	if !layer.here {
		arn = layer.named.Version(*version).String()
	}
	if !found {
		return v, arn, lambdaapi.ErrResourceNotFound("Layer version %s does not exist.", arn)
	}
	return v, arn, nil
}

const msgLayerRevision = "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id"

// AddLayerVersionPermission shares a layer version with an account, an organization or
// everyone (201).
func (s *Service) AddLayerVersionPermission(ctx context.Context, in *lambdaapi.AddLayerVersionPermissionRequest) (*lambdaapi.AddLayerVersionPermissionResponse, error) {
	c := s.call(ctx)
	layer := c.layer(str(in.LayerName))
	principal := str(in.Principal)
	if principal != "*" && !arn.IsAccountID(principal) {
		return nil, invalid("The provided principal was invalid. Please check the principal and try again.")
	}
	out := &lambdaapi.AddLayerVersionPermissionResponse{}
	err := s.update(c.scope(), func(tx *storage.Tx) error {
		v, arn, err := layerPolicyVersion(tx, c, layer, in.VersionNumber)
		if err != nil {
			return err
		}
		if r := str(in.RevisionId); r != "" && r != v.PolicyRevision {
			return lambdaapi.ErrPreconditionFailed(msgLayerRevision)
		}
		sid := str(in.StatementId)
		for _, st := range v.Policy {
			if statementID(st) == sid {
				return lambdaapi.ErrResourceConflict("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", sid)
			}
		}
		stmt := `{"Sid":` + jsonText(sid) + `,"Effect":"Allow","Principal":` + principalJSON(c.partition, principal) +
			`,"Action":` + jsonText(str(in.Action)) + `,"Resource":` + jsonText(arn)
		if org := str(in.OrganizationId); org != "" {
			stmt += `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":` + jsonText(org) + `}}`
		}
		stmt += "}"
		v.Policy = append(v.Policy, stmt)
		v.PolicyRevision = s.revision()
		out.Statement, out.RevisionId = ptr(stmt), ptr(v.PolicyRevision)
		return storage.LambdaLayerVersions(tx, layer.name).Put(storage.LambdaVersionKey(strconv.FormatInt(v.Version, 10)), v)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RemoveLayerVersionPermission removes a statement of a layer version's policy (204).
func (s *Service) RemoveLayerVersionPermission(ctx context.Context, in *lambdaapi.RemoveLayerVersionPermissionRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	layer := c.layer(str(in.LayerName))
	err := s.update(c.scope(), func(tx *storage.Tx) error {
		v, _, err := layerPolicyVersion(tx, c, layer, in.VersionNumber)
		if err != nil {
			return err
		}
		if len(v.Policy) == 0 {
			return lambdaapi.ErrResourceNotFound("No policy is associated with the given resource.")
		}
		if r := str(in.RevisionId); r != "" && r != v.PolicyRevision {
			return lambdaapi.ErrPreconditionFailed(msgLayerRevision)
		}
		sid := str(in.StatementId)
		i := slices.IndexFunc(v.Policy, func(st string) bool { return statementID(st) == sid })
		if i < 0 {
			return lambdaapi.ErrResourceNotFound("Statement %s is not found in resource policy.", sid)
		}
		v.Policy = slices.Delete(v.Policy, i, i+1)
		v.PolicyRevision = s.revision()
		return storage.LambdaLayerVersions(tx, layer.name).Put(storage.LambdaVersionKey(strconv.FormatInt(v.Version, 10)), v)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Empty{}, nil
}

// GetLayerVersionPolicy returns a layer version's policy.
func (s *Service) GetLayerVersionPolicy(ctx context.Context, in *lambdaapi.GetLayerVersionPolicyRequest) (*lambdaapi.GetLayerVersionPolicyResponse, error) {
	c := s.call(ctx)
	layer := c.layer(str(in.LayerName))
	out := &lambdaapi.GetLayerVersionPolicyResponse{}
	err := s.view(c.scope(), func(tx *storage.Tx) error {
		v, _, err := layerPolicyVersion(tx, c, layer, in.VersionNumber)
		if err != nil {
			return err
		}
		if len(v.Policy) == 0 {
			return lambdaapi.ErrResourceNotFound("No policy is associated with the given resource.")
		}
		out.Policy = ptr(policyDocument(v.Policy))
		out.RevisionId = ptr(v.PolicyRevision)
		return nil
	})
	return out, err
}

// LayerVersionPolicy returns the policy document of the layer version an ARN names, for the
// authorizer, which calls it inside its own read transaction (the caller's account) for a
// layer version of another account: read in the account and region the ARN names; "" when
// the version does not exist or shares nothing.
func LayerVersionPolicy(tx *storage.Tx, layerVersionARN string) (string, error) {
	v, err := arn.ParseLayerVersion(layerVersionARN)
	if err != nil || v.Region == "" || v.Account == "" {
		return "", nil
	}
	owner := tx.In(v.Account).InRegion(v.Region)
	rec, err := storage.LambdaLayerVersions(owner, v.Name).Get(storage.LambdaVersionKey(strconv.FormatInt(v.Version, 10)))
	if isNotFound(err) || err == nil && len(rec.Policy) == 0 {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return policyDocument(rec.Policy), nil
}
