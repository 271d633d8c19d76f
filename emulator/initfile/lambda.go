package initfile

import (
	"context"
	"fmt"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/protocol"
)

func (a *applier) regionOf(region string) string {
	switch {
	case region != "":
		return region
	case a.f.Region != "":
		return a.f.Region
	}
	return a.t.Region
}

func (a *applier) lambda(region string) context.Context { return a.ctxFor("lambda", region) }

// latestLayer is the ARN of the newest version of a layer of the account in region, "" when
// it has none.
func (a *applier) latestLayer(region, name string) (string, error) {
	out, err := call(a.lambda(region), lambdaapi.Model, "ListLayerVersions", a.t.Lambda.ListLayerVersions,
		&lambdaapi.ListLayerVersionsRequest{LayerName: &name})
	if absent, err := missing(err); absent || err != nil {
		return "", err
	}
	best, arn := int64(0), ""
	for _, v := range out.LayerVersions {
		if n := protocol.Val(v.Version); n > best {
			best, arn = n, protocol.Val(v.LayerVersionArn)
		}
	}
	return arn, nil
}

// layers publishes a first version of each layer that has none.
func (a *applier) layers(acct *Account) error {
	for _, l := range acct.Layers {
		region := a.regionOf(l.Region)
		what := fmt.Sprintf("layer %s in %s", quote(l.Name), region)
		arn, err := a.latestLayer(region, l.Name)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if arn != "" {
			a.report.Present++
			continue
		}
		_, err = call(a.lambda(region), lambdaapi.Model, "PublishLayerVersion", a.t.Lambda.PublishLayerVersion,
			&lambdaapi.PublishLayerVersionRequest{LayerName: ptr(l.Name), Description: ptr(l.Description),
				CompatibleRuntimes: l.CompatibleRuntimes, Content: &lambdaapi.LayerVersionContentInput{ZipFile: l.zip}})
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		a.created(what)
	}
	return nil
}

// functions creates each function that does not exist; one that does is left as it is, code
// and configuration alike.
func (a *applier) functions(acct *Account) error {
	for _, fn := range acct.Functions {
		region := a.regionOf(fn.Region)
		err := a.ensure(fmt.Sprintf("function %s in %s", quote(fn.Name), region), func() error {
			_, err := call(a.lambda(region), lambdaapi.Model, "GetFunction", a.t.Lambda.GetFunction, &lambdaapi.GetFunctionRequest{FunctionName: ptr(fn.Name)})
			return err
		}, func() error {
			in, err := a.createFunction(fn, region)
			if err != nil {
				return err
			}
			_, err = call(a.lambda(region), lambdaapi.Model, "CreateFunction", a.t.Lambda.CreateFunction, in)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// createFunction is fn's CreateFunction input: its role named by ARN, its layers by version ARN.
func (a *applier) createFunction(fn Function, region string) (*lambdaapi.CreateFunctionRequest, error) {
	role := fn.Role
	if role != "" && !strings.HasPrefix(role, "arn:") {
		out, err := call(a.iam(), iamapi.Model, "GetRole", a.t.IAM.GetRole, &iamapi.GetRoleRequest{RoleName: &role})
		if err != nil {
			return nil, fmt.Errorf("role %s: %w", quote(role), err)
		}
		role = protocol.Val(out.Role.Arn)
	}
	in := &lambdaapi.CreateFunctionRequest{FunctionName: ptr(fn.Name), Runtime: ptr(fn.Runtime), Handler: ptr(fn.Handler),
		Role: ptr(role), Description: ptr(fn.Description), Architectures: fn.Architectures, Tags: fn.Tags,
		Code: &lambdaapi.FunctionCode{ZipFile: fn.zip}}
	if fn.Timeout != 0 {
		in.Timeout = protocol.Ptr(fn.Timeout)
	}
	if fn.MemorySize != 0 {
		in.MemorySize = protocol.Ptr(fn.MemorySize)
	}
	if fn.Environment != nil {
		in.Environment = &lambdaapi.Environment{Variables: fn.Environment}
	}
	for _, l := range fn.Layers {
		if strings.HasPrefix(l, "arn:") {
			in.Layers = append(in.Layers, l)
			continue
		}
		arn, err := a.latestLayer(region, l)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", quote(l), err)
		}
		if arn == "" {
			return nil, fmt.Errorf("layer %s has no version in %s", quote(l), region)
		}
		in.Layers = append(in.Layers, arn)
	}
	return in, nil
}
