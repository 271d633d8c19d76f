package iam

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

const fedThumb = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"

func createOIDC(t *testing.T, s *Service, url string, clientIDs ...string) string {
	t.Helper()
	out, err := s.CreateOpenIDConnectProvider(fedCtx(fedAccount), &iamapi.CreateOpenIDConnectProviderRequest{
		Url: protocol.Ptr(url), ClientIDList: clientIDs, ThumbprintList: []string{fedThumb},
	})
	fedOK(t, err)
	return protocol.Val(out.OpenIDConnectProviderArn)
}

func TestOIDCProviderLifecycle(t *testing.T) {
	t.Parallel()
	s, ctx := fedService(t)
	out, err := s.CreateOpenIDConnectProvider(ctx, &iamapi.CreateOpenIDConnectProviderRequest{
		Url:            protocol.Ptr("https://Token.Example.com/realms/Main"),
		ClientIDList:   []string{"sts.amazonaws.com", "app", "app"},
		ThumbprintList: []string{fedThumb, strings.ToUpper(fedThumb)},
		Tags:           fedTags("team", "a", "Env", "prod"),
	})
	fedOK(t, err)
	arn := "arn:aws:iam::123456789012:oidc-provider/Token.Example.com/realms/Main"
	if got := protocol.Val(out.OpenIDConnectProviderArn); got != arn {
		t.Fatalf("arn = %s, want %s", got, arn)
	}
	if got := fedTagString(out.Tags); got != "Env=prod,team=a" {
		t.Fatalf("tags = %s", got)
	}

	// GetOpenIDConnectProvider returns the URL without its scheme; duplicates are kept once.
	// The host is case-insensitive, so the ARN resolves with the host in any case.
	for _, a := range []string{arn, strings.Replace(arn, "Token.Example.com", "token.example.COM", 1)} {
		got, err := s.GetOpenIDConnectProvider(ctx, &iamapi.GetOpenIDConnectProviderRequest{OpenIDConnectProviderArn: protocol.Ptr(a)})
		fedOK(t, err)
		if protocol.Val(got.Url) != "Token.Example.com/realms/Main" ||
			strings.Join(got.ClientIDList, ",") != "sts.amazonaws.com,app" ||
			strings.Join(got.ThumbprintList, ",") != fedThumb ||
			!protocol.Val(got.CreateDate).Equal(fedNow) || fedTagString(got.Tags) != "Env=prod,team=a" {
			t.Fatalf("get = %+v", got)
		}
	}
	// The path is not case-insensitive.
	_, err = s.GetOpenIDConnectProvider(ctx, &iamapi.GetOpenIDConnectProviderRequest{OpenIDConnectProviderArn: protocol.Ptr(strings.ToLower(arn))})
	fedCode(t, err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+strings.ToLower(arn))

	// STS finds the provider by the issuer of a token.
	fedOK(t, s.view(ctx, func(tx *storage.Tx) error {
		rec, err := storage.OIDCProviders(tx).Get(storage.OIDCProviderKey("https://token.example.com/realms/Main"))
		if err == nil && rec.ARN != arn {
			t.Errorf("record ARN = %s", rec.ARN)
		}
		return err
	}))

	list, err := s.ListOpenIDConnectProviders(ctx, &iamapi.ListOpenIDConnectProvidersRequest{})
	fedOK(t, err)
	if len(list.OpenIDConnectProviderList) != 1 || protocol.Val(list.OpenIDConnectProviderList[0].Arn) != arn {
		t.Fatalf("list = %+v", list)
	}

	on := protocol.Ptr(arn)
	steps := []func() error{
		func() error { // idempotent for an audience already there
			_, err := s.AddClientIDToOpenIDConnectProvider(ctx, &iamapi.AddClientIDToOpenIDConnectProviderRequest{OpenIDConnectProviderArn: on, ClientID: protocol.Ptr("app")})
			return err
		},
		func() error {
			_, err := s.AddClientIDToOpenIDConnectProvider(ctx, &iamapi.AddClientIDToOpenIDConnectProviderRequest{OpenIDConnectProviderArn: on, ClientID: protocol.Ptr("web")})
			return err
		},
		func() error {
			_, err := s.RemoveClientIDFromOpenIDConnectProvider(ctx, &iamapi.RemoveClientIDFromOpenIDConnectProviderRequest{OpenIDConnectProviderArn: on, ClientID: protocol.Ptr("sts.amazonaws.com")})
			return err
		},
		func() error { // idempotent for an audience not there
			_, err := s.RemoveClientIDFromOpenIDConnectProvider(ctx, &iamapi.RemoveClientIDFromOpenIDConnectProviderRequest{OpenIDConnectProviderArn: on, ClientID: protocol.Ptr("none")})
			return err
		},
		func() error { // the list is replaced, not merged
			_, err := s.UpdateOpenIDConnectProviderThumbprint(ctx, &iamapi.UpdateOpenIDConnectProviderThumbprintRequest{OpenIDConnectProviderArn: on, ThumbprintList: []string{strings.Repeat("a", 40)}})
			return err
		},
		func() error {
			_, err := s.TagOpenIDConnectProvider(ctx, &iamapi.TagOpenIDConnectProviderRequest{OpenIDConnectProviderArn: on, Tags: fedTags("TEAM", "b")})
			return err
		},
		func() error {
			_, err := s.UntagOpenIDConnectProvider(ctx, &iamapi.UntagOpenIDConnectProviderRequest{OpenIDConnectProviderArn: on, TagKeys: []string{"env"}})
			return err
		},
	}
	for _, step := range steps {
		fedOK(t, step())
	}
	got, err := s.GetOpenIDConnectProvider(ctx, &iamapi.GetOpenIDConnectProviderRequest{OpenIDConnectProviderArn: on})
	fedOK(t, err)
	if strings.Join(got.ClientIDList, ",") != "app,web" || strings.Join(got.ThumbprintList, ",") != strings.Repeat("a", 40) || fedTagString(got.Tags) != "TEAM=b" {
		t.Fatalf("after changes: %+v", got)
	}
	tags, err := s.ListOpenIDConnectProviderTags(ctx, &iamapi.ListOpenIDConnectProviderTagsRequest{OpenIDConnectProviderArn: on})
	fedOK(t, err)
	if fedTagString(tags.Tags) != "TEAM=b" || protocol.Val(tags.IsTruncated) || tags.Marker != nil {
		t.Fatalf("tags = %+v", tags)
	}

	// Deleting is idempotent (API Reference, DeleteOpenIDConnectProvider).
	for range 2 {
		_, err := s.DeleteOpenIDConnectProvider(ctx, &iamapi.DeleteOpenIDConnectProviderRequest{OpenIDConnectProviderArn: on})
		fedOK(t, err)
	}
	_, err = s.GetOpenIDConnectProvider(ctx, &iamapi.GetOpenIDConnectProviderRequest{OpenIDConnectProviderArn: on})
	fedCode(t, err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn)
	for name, call := range map[string]func() error{
		"AddClientID": func() error {
			_, err := s.AddClientIDToOpenIDConnectProvider(ctx, &iamapi.AddClientIDToOpenIDConnectProviderRequest{OpenIDConnectProviderArn: on, ClientID: protocol.Ptr("x")})
			return err
		},
		"Tag": func() error {
			_, err := s.TagOpenIDConnectProvider(ctx, &iamapi.TagOpenIDConnectProviderRequest{OpenIDConnectProviderArn: on, Tags: fedTags("k", "v")})
			return err
		},
		"ListTags": func() error {
			_, err := s.ListOpenIDConnectProviderTags(ctx, &iamapi.ListOpenIDConnectProviderTagsRequest{OpenIDConnectProviderArn: on})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { fedCode(t, call(), "NoSuchEntity", "") })
	}
}

func TestCreateOpenIDConnectProviderRules(t *testing.T) {
	t.Parallel()
	hex := func(c string) string { return strings.Repeat(c, 40) }
	ids := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("client%d", i))
		}
		return out
	}
	tests := []struct {
		name        string
		url         string
		thumbprints []string
		clientIDs   []string
		code        string
		arn         string
	}{
		{name: "host only", url: "https://example.com", arn: "oidc-provider/example.com"},
		{name: "no thumbprints (optional since 2024)", url: "https://no.thumbs.example", arn: "oidc-provider/no.thumbs.example"},
		{name: "trailing slash kept", url: "https://tenant.auth0.example/", arn: "oidc-provider/tenant.auth0.example/"},
		{name: "port", url: "https://localhost:8443/dex", arn: "oidc-provider/localhost:8443/dex"},
		{name: "five thumbprints", url: "https://five.example", thumbprints: []string{hex("1"), hex("2"), hex("3"), hex("4"), hex("5")}, arn: "oidc-provider/five.example"},
		{name: "100 client ids", url: "https://clients.example", clientIDs: ids(100), arn: "oidc-provider/clients.example"},
		{name: "http", url: "http://example.org", code: "InvalidInput"},
		{name: "no scheme", url: "example.org", code: "InvalidInput"},
		{name: "no host", url: "https://", code: "InvalidInput"},
		{name: "query", url: "https://example.org/a?b=c", code: "InvalidInput"},
		{name: "fragment", url: "https://example.org/a#b", code: "InvalidInput"},
		{name: "user info", url: "https://u:p@example.org", code: "InvalidInput"},
		{name: "six thumbprints", url: "https://six.example", thumbprints: []string{hex("1"), hex("2"), hex("3"), hex("4"), hex("5"), hex("6")}, code: "InvalidInput"},
		{name: "thumbprint not hex", url: "https://g.example", thumbprints: []string{hex("g")}, code: "InvalidInput"},
		{name: "101 client ids", url: "https://many.example", clientIDs: ids(101), code: "LimitExceeded"},
	}
	s, ctx := fedService(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := s.CreateOpenIDConnectProvider(ctx, &iamapi.CreateOpenIDConnectProviderRequest{
				Url: protocol.Ptr(tc.url), ThumbprintList: tc.thumbprints, ClientIDList: tc.clientIDs,
			})
			if tc.code != "" {
				fedCode(t, err, tc.code, "")
				return
			}
			fedOK(t, err)
			if got := protocol.Val(out.OpenIDConnectProviderArn); got != "arn:aws:iam::123456789012:"+tc.arn {
				t.Fatalf("arn = %s", got)
			}
		})
	}
}

func TestCreateOpenIDConnectProviderConflicts(t *testing.T) {
	t.Parallel()
	s, ctx := fedService(t)
	createOIDC(t, s, "https://token.actions.githubusercontent.com")
	// The message quoted in many public reports of this error.
	_, err := s.CreateOpenIDConnectProvider(ctx, &iamapi.CreateOpenIDConnectProviderRequest{Url: protocol.Ptr("https://TOKEN.actions.githubusercontent.com")})
	fedCode(t, err, "EntityAlreadyExists", "Provider with url https://TOKEN.actions.githubusercontent.com already exists.")

	// Another account may register the same URL.
	_, err = s.CreateOpenIDConnectProvider(fedCtx("210987654321"), &iamapi.CreateOpenIDConnectProviderRequest{Url: protocol.Ptr("https://token.actions.githubusercontent.com")})
	fedOK(t, err)

	// 100 providers per account (IAM and AWS STS quotas).
	for i := 1; i < maxOIDCProviders; i++ {
		createOIDC(t, s, fmt.Sprintf("https://idp%d.example.com", i))
	}
	_, err = s.CreateOpenIDConnectProvider(ctx, &iamapi.CreateOpenIDConnectProviderRequest{Url: protocol.Ptr("https://one-more.example.com")})
	fedCode(t, err, "LimitExceeded", "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100")

	// A client id over the quota of 100 on an existing provider.
	arn := protocol.Ptr(createOIDCIn(t, s, fedCtx("210987654321"), "https://aud.example.com", 100))
	_, err = s.AddClientIDToOpenIDConnectProvider(fedCtx("210987654321"), &iamapi.AddClientIDToOpenIDConnectProviderRequest{OpenIDConnectProviderArn: arn, ClientID: protocol.Ptr("one-more")})
	fedCode(t, err, "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")

	// An ARN of another account names nothing here; garbage is not an ARN.
	_, err = s.GetOpenIDConnectProvider(ctx, &iamapi.GetOpenIDConnectProviderRequest{OpenIDConnectProviderArn: arn})
	fedCode(t, err, "NoSuchEntity", "")
	_, err = s.DeleteOpenIDConnectProvider(ctx, &iamapi.DeleteOpenIDConnectProviderRequest{OpenIDConnectProviderArn: protocol.Ptr("token.actions.githubusercontent.com")})
	fedCode(t, err, "ValidationError", "")
}

func createOIDCIn(t *testing.T, s *Service, ctx context.Context, url string, clients int) string {
	t.Helper()
	var ids []string
	for i := range clients {
		ids = append(ids, fmt.Sprintf("c%d", i))
	}
	out, err := s.CreateOpenIDConnectProvider(ctx, &iamapi.CreateOpenIDConnectProviderRequest{Url: protocol.Ptr(url), ClientIDList: ids})
	fedOK(t, err)
	return protocol.Val(out.OpenIDConnectProviderArn)
}
