package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// Policy variables and condition keys filled in by the pipeline, end to end: the classic
// "manage your own access keys" policy (IAM User Guide, "IAM: Allows IAM users to manage their
// own credentials"), tag-based conditions, the caller's source IP, and a boundary condition
// on delegated user creation ("Permissions boundaries": delegating responsibility).
func TestConditionsAndVariables(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	cfg := newUser(t, srv, admin, "lee")
	newUser(t, srv, admin, "other")
	lee := iam.NewFromConfig(cfg)
	putUserPolicy(t, admin, "lee", "self", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:ListAccessKeys","iam:CreateAccessKey","iam:GetUser"],"Resource":"arn:aws:iam::*:user/${aws:username}"},
		{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*","Condition":{
			"StringEquals":{"aws:RequestTag/team":"${aws:PrincipalTag/team}","iam:PermissionsBoundary":"arn:aws:iam::aws:policy/ReadOnlyAccess"},
			"ForAllValues:StringEquals":{"aws:TagKeys":["team"]},
			"IpAddress":{"aws:SourceIp":["127.0.0.0/8","::1/128"]}}}]}`)
	if _, err := admin.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("lee"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := lee.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}); err != nil {
		t.Fatalf("own keys: %v", err)
	}
	_, err := lee.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("other")})
	assertDenied(t, err, "AccessDenied", "iam:ListAccessKeys on resource: user other because no identity-based policy allows")

	create := func(tags map[string]string, boundary string) error {
		in := &iam.CreateUserInput{UserName: aws.String("u" + tags["team"] + boundary[len(boundary)-3:])}
		for k, v := range tags {
			in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		if boundary != "" {
			in.PermissionsBoundary = aws.String(boundary)
		}
		_, err := lee.CreateUser(ctx, in)
		return err
	}
	const ro = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	if err := create(map[string]string{"team": "blue"}, ro); err != nil {
		t.Fatalf("matching tag and boundary: %v", err)
	}
	assertCode(t, create(map[string]string{"team": "red"}, ro), "AccessDenied")                                       // tag value must match the caller's
	assertCode(t, create(map[string]string{"team": "blue", "cost": "x"}, ro), "AccessDenied")                         // only the team tag key
	assertCode(t, create(map[string]string{"team": "blue"}, "arn:aws:iam::aws:policy/IAMFullAccess"), "AccessDenied") // wrong boundary
}
