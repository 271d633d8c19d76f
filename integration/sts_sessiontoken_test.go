package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// GetSessionToken needs no permission and no policy can take it away: "No permissions are
// required for users to perform this operation. [...] You cannot use policies to control
// authentication operations" (STS API Reference, GetSessionToken); "You can include the
// GetSessionToken action in your policies, but it has no effect" (IAM User Guide,
// "Permissions for GetSessionToken").
func TestGetSessionTokenNeedsNoPermission(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		policy string // the user's only inline policy; "" for none
	}{
		{name: "no policy"},
		{name: "explicit deny", policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:GetSessionToken","Resource":"*"}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t)
			ctx := context.Background()
			admin := iam.NewFromConfig(srv.AWSConfig(ctx))
			cfg := newUser(t, srv, admin, "mfa-user")
			if tc.policy != "" {
				putUserPolicy(t, admin, "mfa-user", "deny", tc.policy)
			}
			out, err := sts.NewFromConfig(cfg).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
			if err != nil {
				t.Fatalf("GetSessionToken: %v", err)
			}
			c := out.Credentials
			session := srv.ConfigFor(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
			id, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::"+srv.Root.ID+":user/mfa-user" {
				t.Fatalf("session credentials act as %v (%v), want the user", aws.ToString(id.Arn), err)
			}
		})
	}
}
