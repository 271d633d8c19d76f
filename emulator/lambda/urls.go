package lambda

import (
	"context"
	"crypto/sha256"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/storage"
)

// Function URL configs, of a function or of one of its aliases (the model's qualifier pattern
// excludes versions and $LATEST). Texts as recorded (TestLambdaUrl): "Function does not
// exist" on Create, Update and List; "The resource you requested does not exist." on Get and
// Delete; the conflict text on a second Create.

// urlTime renders CreationTime and LastModifiedTime (ISO 8601 with microseconds, UTC).
func urlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// URLPath is where the server serves function URLs by path:
// <base>/_iamlocal/urls/<url-id>/<the function's path>. AWS serves each at
// https://<url-id>.lambda-url.<region>.on.aws/ ("Lambda function URLs"), a name no local
// resolver knows, so the URL the API returns is this one, on iamlocal's own address (or the
// configured public base); the host form <url-id>.lambda-url.<region>.<anything> is served
// too (urlserve.go).
const URLPath = "/_iamlocal/urls/"

// functionURL is the FunctionUrl of a URL id: the path form under the configured base or the
// server's address, or AWS's own form while neither is known (a Service without a server).
func (s *Service) functionURL(id, region string) string {
	base := s.urlBase
	if base == "" && s.hooks.Endpoint != nil {
		base = s.hooks.Endpoint()
	}
	if base == "" {
		return "https://" + id + ".lambda-url." + region + ".on.aws/"
	}
	return strings.TrimRight(base, "/") + URLPath + id + "/"
}

// urlIDSet is the alphabet of url ids: AWS's are 32 lowercase letters and digits
// (mq75dt64puwxk3u6gjw2rhak4m0bcmmi).
const urlIDSet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newURLID draws a url id. It takes the 16 random bytes a UUID took before url ids had AWS's
// alphabet, so seeded ids drawn after it stay as they were, and spreads them over 32
// characters through SHA-256.
func (s *Service) newURLID() string {
	var seed [16]byte
	s.ids.Src.Read(seed[:])
	sum := sha256.Sum256(seed[:])
	out := make([]byte, 32)
	for i := range out {
		out[i] = urlIDSet[int(sum[i])%len(urlIDSet)]
	}
	return string(out)
}

func corsIn(c *lambdaapi.Cors) *storage.LambdaCors {
	if c == nil {
		return nil
	}
	return &storage.LambdaCors{AllowCredentials: c.AllowCredentials, AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods,
		AllowOrigins: c.AllowOrigins, ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge}
}

func corsOut(c *storage.LambdaCors) *lambdaapi.Cors {
	if c == nil {
		return nil
	}
	return &lambdaapi.Cors{AllowCredentials: c.AllowCredentials, AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods,
		AllowOrigins: c.AllowOrigins, ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge}
}

// urlOut renders a config as FunctionUrlConfig (Get and List report InvokeMode always).
func (s *Service) urlOut(t target, r storage.LambdaURLRecord) lambdaapi.FunctionUrlConfig {
	return lambdaapi.FunctionUrlConfig{AuthType: ptr(r.AuthType), Cors: corsOut(r.Cors), CreationTime: ptr(urlTime(r.Created)),
		FunctionArn: ptr(t.versionARN(r.Qualifier)), FunctionUrl: ptr(s.functionURL(r.URLID, t.region)),
		InvokeMode: ptr(nonEmpty(r.InvokeMode, "BUFFERED")), LastModifiedTime: ptr(urlTime(r.LastModified))}
}

// urlTargetExists reports whether the function (and alias) exist.
func urlTargetExists(tx *storage.Tx, t target) bool {
	if !storage.LambdaFunctions(tx).Has(t.name) {
		return false
	}
	return t.qualifier == "" || storage.LambdaAliases(tx, t.name).Has(t.qualifier)
}

// CreateFunctionUrlConfig gives a function or alias a URL (201). The answer carries
// InvokeMode only when the request set it, as Lambda's does.
func (s *Service) CreateFunctionUrlConfig(ctx context.Context, in *lambdaapi.CreateFunctionUrlConfigRequest) (*lambdaapi.CreateFunctionUrlConfigResponse, error) {
	c := s.call(ctx)
	t, err := c.resolve(str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.CreateFunctionUrlConfigResponse
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if !urlTargetExists(tx, t) {
			return lambdaapi.ErrResourceNotFound(msgNoFunctionURL)
		}
		urls := storage.LambdaURLConfigs(tx, t.name)
		key := storage.LambdaPolicyKey(t.qualifier)
		if urls.Has(key) {
			return lambdaapi.ErrResourceConflict("Failed to create function url config for [functionArn = %s]. Error message:  FunctionUrlConfig exists for this Lambda function", t.qualifiedARN())
		}
		r := storage.LambdaURLRecord{Qualifier: t.qualifier, URLID: s.newURLID(),
			AuthType: str(in.AuthType), InvokeMode: str(in.InvokeMode), Cors: corsIn(in.Cors), Created: c.now, LastModified: c.now}
		loc := storage.LambdaURLLocation{Account: tx.Account(), Region: tx.Region(), Function: t.name, Qualifier: t.qualifier}
		if err := storage.LambdaURLIndex(tx).Put(r.URLID, loc); err != nil {
			return err
		}
		o := s.urlOut(t, r)
		out = &lambdaapi.CreateFunctionUrlConfigResponse{AuthType: o.AuthType, Cors: o.Cors, CreationTime: o.CreationTime,
			FunctionArn: o.FunctionArn, FunctionUrl: o.FunctionUrl}
		if r.InvokeMode != "" {
			out.InvokeMode = o.InvokeMode
		}
		return urls.Put(key, r)
	})
	return out, err
}

// GetFunctionUrlConfig returns the URL config of a function or alias.
func (s *Service) GetFunctionUrlConfig(ctx context.Context, in *lambdaapi.GetFunctionUrlConfigRequest) (*lambdaapi.GetFunctionUrlConfigResponse, error) {
	c := s.call(ctx)
	t, err := c.resolve(str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.GetFunctionUrlConfigResponse
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		r, err := storage.LambdaURLConfigs(tx, t.name).Get(storage.LambdaPolicyKey(t.qualifier))
		if isNotFound(err) {
			return lambdaapi.ErrResourceNotFound(msgNoResource)
		}
		o := s.urlOut(t, r)
		out = &lambdaapi.GetFunctionUrlConfigResponse{AuthType: o.AuthType, Cors: o.Cors, CreationTime: o.CreationTime,
			FunctionArn: o.FunctionArn, FunctionUrl: o.FunctionUrl, InvokeMode: o.InvokeMode, LastModifiedTime: o.LastModifiedTime}
		return err
	})
	return out, err
}

// UpdateFunctionUrlConfig changes the given members of a URL config.
func (s *Service) UpdateFunctionUrlConfig(ctx context.Context, in *lambdaapi.UpdateFunctionUrlConfigRequest) (*lambdaapi.UpdateFunctionUrlConfigResponse, error) {
	c := s.call(ctx)
	t, err := c.resolve(str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.UpdateFunctionUrlConfigResponse
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		if !urlTargetExists(tx, t) {
			return lambdaapi.ErrResourceNotFound(msgNoFunctionURL)
		}
		urls := storage.LambdaURLConfigs(tx, t.name)
		key := storage.LambdaPolicyKey(t.qualifier)
		r, err := urls.Get(key)
		if isNotFound(err) {
			return lambdaapi.ErrResourceNotFound(msgNoResource)
		}
		if err != nil {
			return err
		}
		setIf(&r.AuthType, in.AuthType)
		setIf(&r.InvokeMode, in.InvokeMode)
		if in.Cors != nil {
			r.Cors = corsIn(in.Cors)
		}
		r.LastModified = c.now
		// A URL made before URLs were indexed becomes servable once updated.
		loc := storage.LambdaURLLocation{Account: tx.Account(), Region: tx.Region(), Function: t.name, Qualifier: t.qualifier}
		if err := storage.LambdaURLIndex(tx).Put(r.URLID, loc); err != nil {
			return err
		}
		o := s.urlOut(t, r)
		out = &lambdaapi.UpdateFunctionUrlConfigResponse{AuthType: o.AuthType, Cors: o.Cors, CreationTime: o.CreationTime,
			FunctionArn: o.FunctionArn, FunctionUrl: o.FunctionUrl, LastModifiedTime: o.LastModifiedTime}
		if r.InvokeMode != "" {
			out.InvokeMode = o.InvokeMode
		}
		return urls.Put(key, r)
	})
	return out, err
}

// DeleteFunctionUrlConfig removes a URL config (204).
func (s *Service) DeleteFunctionUrlConfig(ctx context.Context, in *lambdaapi.DeleteFunctionUrlConfigRequest) (*lambdaapi.Empty, error) {
	c := s.call(ctx)
	t, err := c.resolve(str(in.FunctionName), in.Qualifier)
	if err != nil {
		return nil, err
	}
	err = s.update(t.scope(), func(tx *storage.Tx) error {
		urls := storage.LambdaURLConfigs(tx, t.name)
		key := storage.LambdaPolicyKey(t.qualifier)
		r, err := urls.Get(key)
		if isNotFound(err) {
			return lambdaapi.ErrResourceNotFound(msgNoResource)
		} else if err != nil {
			return err
		}
		if err := storage.LambdaURLIndex(tx).Delete(r.URLID); err != nil && !isNotFound(err) {
			return err
		}
		return urls.Delete(key)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Empty{}, nil
}

// ListFunctionUrlConfigs lists the URL configs of a function and its aliases.
func (s *Service) ListFunctionUrlConfigs(ctx context.Context, in *lambdaapi.ListFunctionUrlConfigsRequest) (*lambdaapi.ListFunctionUrlConfigsResponse, error) {
	c := s.call(ctx)
	t, err := c.unqualified(str(in.FunctionName))
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.ListFunctionUrlConfigsResponse{}
	err = s.view(t.scope(), func(tx *storage.Tx) error {
		if !storage.LambdaFunctions(tx).Has(t.name) {
			return lambdaapi.ErrResourceNotFound(msgNoFunctionURL)
		}
		var items []pageItem[lambdaapi.FunctionUrlConfig]
		err := storage.LambdaURLConfigs(tx, t.name).Scan("", func(key string, r storage.LambdaURLRecord) error {
			items = append(items, pageItem[lambdaapi.FunctionUrlConfig]{key: key, item: s.urlOut(t, r)})
			return nil
		})
		if err != nil {
			return err
		}
		out.FunctionUrlConfigs, out.NextMarker = paginate(items, in.Marker, in.MaxItems)
		return nil
	})
	return out, err
}
