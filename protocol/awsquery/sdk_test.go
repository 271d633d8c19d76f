package awsquery_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/awsquery"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// queryServer answers each Action with EncodeResult of the canned output (or EncodeError), the
// way the emulator's Query front end does.
func queryServer(t *testing.T, svc *model.Service, outs map[string]any) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		action := form.Get("Action")
		op := svc.Operations[action]
		out, ok := outs[action]
		if op == nil || !ok {
			http.Error(w, "unexpected action "+action, http.StatusBadRequest)
			return
		}
		var raw []byte
		status := http.StatusOK
		if e, isErr := out.(*awserr.Error); isErr {
			raw, status = awsquery.EncodeError(svc, e, "rid-1"), e.Status
		} else {
			raw = awsquery.EncodeResult(svc, op, out, "rid-1")
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("x-amzn-RequestId", "rid-1")
		w.WriteHeader(status)
		_, _ = w.Write(raw)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func sdkConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// Values encoded by EncodeResult are read back intact by aws-sdk-go-v2's own IAM deserializers:
// lists, maps, timestamps, booleans, integers and nested structures.
func TestSDKParsesIAMResults(t *testing.T) {
	t.Parallel()
	svc := iamapi.Model()
	created := time.Date(2013, 4, 18, 15, 13, 8, 0, time.UTC)
	lastUsed := time.Date(2014, 9, 8, 21, 47, 36, 0, time.UTC)
	user := iamapi.User{Path: p("/a/"), UserName: p("Bob"), UserId: p("AIDAEXAMPLE"),
		Arn: p("arn:aws:iam::123456789012:user/a/Bob"), CreateDate: &created, PasswordLastUsed: &lastUsed,
		Tags: []iamapi.Tag{{Key: p("k1"), Value: p("v & <1>")}, {Key: p("k2"), Value: p("")}},
		PermissionsBoundary: &iamapi.AttachedPermissionsBoundary{PermissionsBoundaryArn: p("arn:aws:iam::aws:policy/B"),
			PermissionsBoundaryType: p("PermissionsBoundaryPolicy")}}
	srv := queryServer(t, svc, map[string]any{
		"GetUser":           &iamapi.GetUserResponse{User: &user},
		"ListUsers":         &iamapi.ListUsersResponse{Users: []iamapi.User{user, {UserName: p("Ann"), CreateDate: &created}}, IsTruncated: p(true), Marker: p("m2")},
		"GetAccountSummary": &iamapi.GetAccountSummaryResponse{SummaryMap: map[string]int32{"Users": 2, "UsersQuota": 5000, "AccountMFAEnabled": 0}},
		"ListGroups":        &iamapi.ListGroupsResponse{Groups: []iamapi.Group{}, IsTruncated: p(false)},
		"DeleteUser":        nil,
		"CreateAccessKey": &iamapi.CreateAccessKeyResponse{AccessKey: &iamapi.AccessKey{AccessKeyId: p("AKIA1"),
			SecretAccessKey: p("s/+="), Status: p("Active"), UserName: p("Bob"), CreateDate: &created}},
		"GetUserPolicy": iamapi.ErrNoSuchEntity("The user policy with name %s cannot be found.", "p"),
	})
	client := iam.NewFromConfig(sdkConfig(srv.URL))
	ctx := context.Background()

	got, err := client.GetUser(ctx, &iam.GetUserInput{})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	u := got.User
	if aws.ToString(u.UserName) != "Bob" || aws.ToString(u.Path) != "/a/" || aws.ToString(u.UserId) != "AIDAEXAMPLE" ||
		aws.ToString(u.Arn) != "arn:aws:iam::123456789012:user/a/Bob" || !aws.ToTime(u.CreateDate).Equal(created) ||
		!aws.ToTime(u.PasswordLastUsed).Equal(lastUsed) {
		t.Errorf("User = %+v", u)
	}
	wantTags := []iamtypes.Tag{{Key: aws.String("k1"), Value: aws.String("v & <1>")}, {Key: aws.String("k2"), Value: aws.String("")}}
	if !reflect.DeepEqual(u.Tags, wantTags) {
		t.Errorf("Tags = %s", dump(u.Tags))
	}
	if u.PermissionsBoundary == nil || aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn) != "arn:aws:iam::aws:policy/B" ||
		u.PermissionsBoundary.PermissionsBoundaryType != iamtypes.PermissionsBoundaryAttachmentTypePolicy {
		t.Errorf("PermissionsBoundary = %s", dump(u.PermissionsBoundary))
	}

	list, err := client.ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if len(list.Users) != 2 || aws.ToString(list.Users[1].UserName) != "Ann" || !list.IsTruncated || aws.ToString(list.Marker) != "m2" {
		t.Errorf("ListUsers = %s", dump(list))
	}

	sum, err := client.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatalf("GetAccountSummary: %v", err)
	}
	if !reflect.DeepEqual(sum.SummaryMap, map[string]int32{"Users": 2, "UsersQuota": 5000, "AccountMFAEnabled": 0}) {
		t.Errorf("SummaryMap = %v", sum.SummaryMap)
	}

	groups, err := client.ListGroups(ctx, &iam.ListGroupsInput{})
	if err != nil {
		t.Fatalf("ListGroups: %v", err)
	}
	if len(groups.Groups) != 0 || groups.IsTruncated {
		t.Errorf("ListGroups = %s", dump(groups))
	}

	if _, err := client.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("Bob")}); err != nil {
		t.Errorf("DeleteUser: %v", err)
	}

	key, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil {
		t.Fatalf("CreateAccessKey: %v", err)
	}
	if aws.ToString(key.AccessKey.SecretAccessKey) != "s/+=" || key.AccessKey.Status != iamtypes.StatusTypeActive {
		t.Errorf("AccessKey = %s", dump(key.AccessKey))
	}

	_, err = client.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("Bob"), PolicyName: aws.String("p")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) || nse.ErrorMessage() != "The user policy with name p cannot be found." {
		t.Errorf("GetUserPolicy error = %v", err)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchEntity" || ae.ErrorFault() != smithy.FaultClient {
		t.Errorf("APIError = %v", err)
	}
}

func TestSDKParsesSTSResults(t *testing.T) {
	t.Parallel()
	svc := stsapi.Model()
	exp := time.Date(2019, 11, 9, 13, 34, 41, 0, time.UTC)
	srv := queryServer(t, svc, map[string]any{
		"GetCallerIdentity": &stsapi.GetCallerIdentityResponse{Account: p("123456789012"), Arn: p("arn:aws:iam::123456789012:user/Alice"), UserId: p("AIDAEXAMPLE")},
		"AssumeRole": &stsapi.AssumeRoleResponse{
			AssumedRoleUser: &stsapi.AssumedRoleUser{Arn: p("arn:aws:sts::123456789012:assumed-role/demo/s"), AssumedRoleId: p("AROAEXAMPLE:s")},
			Credentials: &stsapi.Credentials{AccessKeyId: p("ASIAEXAMPLE"), SecretAccessKey: p("secret"), SessionToken: p("token//=="),
				Expiration: &exp},
			PackedPolicySize: p(int32(42)), SourceIdentity: p("me")},
		"GetSessionToken":            awserr.New("InvalidClientTokenId", 403, true, "The security token included in the request is invalid"),
		"DecodeAuthorizationMessage": awserr.Internal(),
	})
	client := sts.NewFromConfig(sdkConfig(srv.URL))
	ctx := context.Background()

	id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if aws.ToString(id.Account) != "123456789012" || aws.ToString(id.Arn) != "arn:aws:iam::123456789012:user/Alice" || aws.ToString(id.UserId) != "AIDAEXAMPLE" {
		t.Errorf("identity = %s", dump(id))
	}

	ar, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), RoleSessionName: aws.String("s")})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	c := ar.Credentials
	if aws.ToString(c.AccessKeyId) != "ASIAEXAMPLE" || aws.ToString(c.SessionToken) != "token//==" || !aws.ToTime(c.Expiration).Equal(exp) ||
		aws.ToInt32(ar.PackedPolicySize) != 42 || aws.ToString(ar.SourceIdentity) != "me" ||
		aws.ToString(ar.AssumedRoleUser.AssumedRoleId) != "AROAEXAMPLE:s" {
		t.Errorf("AssumeRole = %s", dump(ar))
	}

	_, err = client.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidClientTokenId" || ae.ErrorMessage() != "The security token included in the request is invalid" {
		t.Errorf("GetSessionToken error = %v", err)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != 403 {
		t.Errorf("status = %v", err)
	}

	_, err = client.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("x")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InternalFailure" {
		t.Errorf("DecodeAuthorizationMessage error = %v", err)
	}
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Errorf("status = %v", err)
	}
}

// Property over every IAM and STS operation with an output: a fully populated output value
// (every member at every depth, from the model) is accepted by the SDK's deserializer. Inputs are
// filled too, so the SDK's client-side required-member checks let every call through.
func TestSDKDeserializesEveryOutput(t *testing.T) {
	t.Parallel()
	for _, svc := range []*model.Service{iamapi.Model(), stsapi.Model()} {
		outs := map[string]any{}
		for _, name := range svc.OpNames {
			op := svc.Operations[name]
			if op.Output != nil {
				outs[name] = fill(op.Output, outputType(name))
			} else {
				outs[name] = nil
			}
		}
		srv := queryServer(t, svc, outs)
		called := 0
		for _, name := range svc.OpNames {
			got, ok, err := callSDK(svc.Name, sdkConfig(srv.URL), name)
			if err != nil {
				t.Errorf("%s %s: %v", svc.Name, name, err)
				continue
			}
			if !ok {
				continue
			}
			called++
			if outs[name] == nil {
				continue
			}
			want := normalize(reflect.ValueOf(outs[name]))
			if diff := subset(want, normalize(reflect.ValueOf(got)), name); diff != "" {
				t.Errorf("%s %s: SDK read back a different value: %s", svc.Name, name, diff)
			}
		}
		if called < len(svc.OpNames)*9/10 {
			t.Errorf("%s: only %d of %d operations exercised", svc.Name, called, len(svc.OpNames))
		}
	}
}

// callSDK invokes the SDK client method named op with a filled input, through reflection; ok is
// false when the SDK has no such operation.
func callSDK(service string, cfg aws.Config, op string) (out any, ok bool, err error) {
	var client reflect.Value
	switch service {
	case "iam":
		client = reflect.ValueOf(iam.NewFromConfig(cfg))
	default:
		client = reflect.ValueOf(sts.NewFromConfig(cfg))
	}
	m := client.MethodByName(op)
	if !m.IsValid() {
		return nil, false, nil // an operation this SDK version does not have
	}
	in := reflect.New(m.Type().In(1).Elem())
	sdkFill(in.Elem(), 0)
	res := m.Call([]reflect.Value{reflect.ValueOf(context.Background()), in})
	if e, _ := res[1].Interface().(error); e != nil {
		return nil, true, e
	}
	return res[0].Interface(), true, nil
}

// normalize turns a generated or an SDK value into plain maps, slices and scalars, so the two
// type systems (pointer scalars vs. values, strings vs. enum types) compare.
func normalize(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return normalize(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			return v.Interface().(time.Time).UTC().Format(time.RFC3339Nano)
		}
		out := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" {
				continue
			}
			if n := normalize(v.Field(i)); n != nil {
				out[f.Name] = n
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes())
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = normalize(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[k.String()] = normalize(v.MapIndex(k))
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.Bool:
		return v.Bool()
	}
	return v.Interface()
}

// subset reports where want (ours) is not contained in got (the SDK's, which has extra fields).
func subset(want, got any, path string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path + ": missing"
		}
		for k, wv := range w {
			if d := subset(wv, g[k], path+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path + ": list differs"
		}
		for i := range w {
			if d := subset(w[i], g[i], path); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return path + ": want " + dump(want) + ", got " + dump(got)
	}
	return ""
}

var timeType = reflect.TypeFor[time.Time]()

// sdkFill sets every exported field of an SDK input to a plausible value.
func sdkFill(v reflect.Value, depth int) {
	if depth > 5 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		nv := reflect.New(v.Type().Elem())
		sdkFill(nv.Elem(), depth+1)
		v.Set(nv)
	case reflect.Struct:
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(sampleTime))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				sdkFill(v.Field(i), depth+1)
			}
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Int32, reflect.Int64, reflect.Int:
		v.SetInt(1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte("x"))
			return
		}
		out := reflect.MakeSlice(v.Type(), 1, 1)
		sdkFill(out.Index(0), depth+1)
		v.Set(out)
	case reflect.Map:
		out := reflect.MakeMap(v.Type())
		ev := reflect.New(v.Type().Elem()).Elem()
		sdkFill(ev, depth+1)
		out.SetMapIndex(reflect.ValueOf("k").Convert(v.Type().Key()), ev)
		v.Set(out)
	}
}
