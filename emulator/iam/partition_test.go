package iam

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// Every ARN IAM answers is in the request's partition (the service's when the request carries
// none), AWS managed policies included, and documents may only name that partition.
func TestPartitionNames(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	s := New(Options{DB: db, Clock: func() time.Time { return idNow }, IDs: ids.Generator{Src: ids.NewSeeded(7)}, Partition: "aws-cn"})
	gov := reqctx.With(context.Background(), &reqctx.Info{Now: idNow, Region: "us-gov-west-1", Partition: "aws-us-gov",
		Caller: reqctx.Caller{Type: reqctx.Account, Account: idAcct, ARN: "arn:aws-us-gov:iam::" + idAcct + ":root", UserID: idAcct}})
	bare := reqctx.With(context.Background(), &reqctx.Info{Now: idNow,
		Caller: reqctx.Caller{Type: reqctx.Account, Account: idAcct, UserID: idAcct}})
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws-us-gov:iam::123456789012:user/app/bob"},"Action":"sts:AssumeRole"}]}`
	const govDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws-us-gov:s3:::b"}]}`

	u, err := s.CreateUser(gov, &iamapi.CreateUserRequest{UserName: protocol.Ptr("bob"), Path: protocol.Ptr("/app/")})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.CreateRole(gov, &iamapi.CreateRoleRequest{RoleName: protocol.Ptr("R"), AssumeRolePolicyDocument: protocol.Ptr(trust)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreatePolicy(gov, &iamapi.CreatePolicyRequest{PolicyName: protocol.Ptr("P"), PolicyDocument: protocol.Ptr(govDoc)})
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.CreateGroup(gov, &iamapi.CreateGroupRequest{GroupName: protocol.Ptr("G")})
	if err != nil {
		t.Fatal(err)
	}
	cn, err := s.CreateGroup(bare, &iamapi.CreateGroupRequest{GroupName: protocol.Ptr("CN")})
	if err != nil {
		t.Fatal(err)
	}
	root, err := s.GetUser(gov, &iamapi.GetUserRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{
		protocol.Val(u.User.Arn):    "arn:aws-us-gov:iam::123456789012:user/app/bob",
		protocol.Val(r.Role.Arn):    "arn:aws-us-gov:iam::123456789012:role/R",
		protocol.Val(p.Policy.Arn):  "arn:aws-us-gov:iam::123456789012:policy/P",
		protocol.Val(g.Group.Arn):   "arn:aws-us-gov:iam::123456789012:group/G",
		protocol.Val(cn.Group.Arn):  "arn:aws-cn:iam::123456789012:group/CN",
		protocol.Val(root.User.Arn): "arn:aws-us-gov:iam::123456789012:root",
	} {
		if got != want {
			t.Errorf("ARN %s, want %s", got, want)
		}
	}

	attach := func(arn string) error {
		_, err := s.AttachRolePolicy(gov, &iamapi.AttachRolePolicyRequest{RoleName: protocol.Ptr("R"), PolicyArn: protocol.Ptr(arn)})
		return err
	}
	if err := attach("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"); err != nil {
		t.Fatalf("attach an AWS managed policy of the partition: %v", err)
	}
	if err := attach("arn:aws-us-gov:iam::123456789012:policy/P"); err != nil {
		t.Fatalf("attach the customer policy: %v", err)
	}
	idCode(t, attach("arn:aws:iam::aws:policy/ReadOnlyAccess"), "InvalidInput")
	got, err := s.ListAttachedRolePolicies(gov, &iamapi.ListAttachedRolePoliciesRequest{RoleName: protocol.Ptr("R")})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, a := range got.AttachedPolicies {
		arns = append(arns, protocol.Val(a.PolicyArn))
	}
	if strings.Join(arns, " ") != "arn:aws-us-gov:iam::123456789012:policy/P arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("attached %v", arns)
	}
	aws, err := s.GetPolicy(gov, &iamapi.GetPolicyRequest{PolicyArn: protocol.Ptr("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess")})
	if err != nil || protocol.Val(aws.Policy.Arn) != "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("GetPolicy of the AWS managed policy: %v, %v", aws, err)
	}

	_, err = s.PutUserPolicy(gov, &iamapi.PutUserPolicyRequest{UserName: protocol.Ptr("bob"), PolicyName: protocol.Ptr("i"),
		PolicyDocument: protocol.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b"}]}`)})
	idCode(t, err, "MalformedPolicyDocument")
	_, err = s.CreateRole(gov, &iamapi.CreateRoleRequest{RoleName: protocol.Ptr("R2"),
		AssumeRolePolicyDocument: protocol.Ptr(strings.Replace(trust, "user/app/bob", "user/nobody", 1))})
	idCode(t, err, "MalformedPolicyDocument") // a principal of this account that does not exist

	details, err := s.GetAccountAuthorizationDetails(gov, &iamapi.GetAccountAuthorizationDetailsRequest{Filter: []string{"AWSManagedPolicy", "Role"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(details.Policies) != 1 || protocol.Val(details.Policies[0].Arn) != "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess" ||
		protocol.Val(details.RoleDetailList[0].Arn) != "arn:aws-us-gov:iam::123456789012:role/R" {
		t.Errorf("authorization details %+v %+v", details.Policies, details.RoleDetailList)
	}
}
