package iam

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
)

func TestAllowedNamespaces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc      string
		has, not []string
	}{
		{rpDoc, []string{"s3"}, []string{"ec2"}},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["S3:Get*","lambda:*"],"Resource":"*"}}`, []string{"s3", "lambda"}, []string{"iam"}},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`, nil, []string{"iam"}},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, []string{"iam", "s3", "sts"}, nil},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}]}`, []string{"s3", "ec2"}, []string{"iam", "organizations"}},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloud*:Describe*","Resource":"*"}]}`, []string{"cloudformation", "cloudwatch"}, []string{"s3"}},
	}
	for i, tt := range tests {
		got := allowedNamespaces(tt.doc)
		for _, ns := range tt.has {
			if !got[ns] {
				t.Errorf("case %d: %s missing", i, ns)
			}
		}
		for _, ns := range tt.not {
			if got[ns] {
				t.Errorf("case %d: %s present", i, ns)
			}
		}
	}
}

func TestServiceLastAccessed(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	e.user("alice")
	e.user("bob")
	e.group("devs", "alice", "bob")
	rpOK(t, inlineKinds[1].put(e, "devs", "g-in", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}]}`))
	rpOK(t, inlineKinds[0].put(e, "alice", "u-in", rpDoc))
	rpOK(t, attachKinds[0].attach(e, "alice", "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"))

	gen := func(arn string) string {
		out, err := e.s.GenerateServiceLastAccessedDetails(e.ctx, &iamapi.GenerateServiceLastAccessedDetailsRequest{Arn: &arn})
		rpOK(t, err)
		return *out.JobId
	}
	job := gen("arn:aws:iam::123456789012:user/alice")
	d, err := e.s.GetServiceLastAccessedDetails(e.ctx, &iamapi.GetServiceLastAccessedDetailsRequest{JobId: &job})
	rpOK(t, err)
	if *d.JobStatus != "COMPLETED" || *d.JobType != "SERVICE_LEVEL" || d.JobCompletionDate == nil {
		t.Errorf("job = %+v", d)
	}
	var ns []string
	for _, s := range d.ServicesLastAccessed {
		ns = append(ns, *s.ServiceNamespace)
		if s.LastAuthenticated != nil || *s.TotalAuthenticatedEntities != 0 {
			t.Errorf("access data for %s", *s.ServiceNamespace)
		}
	}
	if join(ns) != "lambda,s3,sqs" {
		t.Errorf("services = %v", ns)
	}
	if *d.ServicesLastAccessed[1].ServiceName != "Amazon S3" {
		t.Errorf("service name = %s", *d.ServicesLastAccessed[1].ServiceName)
	}

	group := gen("arn:aws:iam::123456789012:group/devs")
	w, err := e.s.GetServiceLastAccessedDetailsWithEntities(e.ctx, &iamapi.GetServiceLastAccessedDetailsWithEntitiesRequest{JobId: &group, ServiceNamespace: protocol.Ptr("lambda")})
	rpOK(t, err)
	if len(w.EntityDetailsList) != 2 || *w.EntityDetailsList[0].EntityInfo.Name != "alice" || *w.EntityDetailsList[0].EntityInfo.Type != "USER" {
		t.Errorf("entities = %+v", w.EntityDetailsList)
	}
	w, _ = e.s.GetServiceLastAccessedDetailsWithEntities(e.ctx, &iamapi.GetServiceLastAccessedDetailsWithEntitiesRequest{JobId: &group, ServiceNamespace: protocol.Ptr("s3")})
	if len(w.EntityDetailsList) != 0 {
		t.Errorf("group grants no s3: %+v", w.EntityDetailsList)
	}

	pol := gen("arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess")
	d, _ = e.s.GetServiceLastAccessedDetails(e.ctx, &iamapi.GetServiceLastAccessedDetailsRequest{JobId: &pol})
	if len(d.ServicesLastAccessed) != 1 || *d.ServicesLastAccessed[0].ServiceNamespace != "sqs" {
		t.Errorf("policy report = %+v", d.ServicesLastAccessed)
	}

	_, err = e.s.GenerateServiceLastAccessedDetails(e.ctx, &iamapi.GenerateServiceLastAccessedDetailsRequest{Arn: protocol.Ptr("arn:aws:iam::123456789012:user/ghost")})
	rpWant(t, err, "NoSuchEntity", "The user with name ghost cannot be found.")
	_, err = e.s.GetServiceLastAccessedDetails(e.ctx, &iamapi.GetServiceLastAccessedDetailsRequest{JobId: protocol.Ptr("00000000-0000-4000-8000-000000000000")})
	rpWant(t, err, "NoSuchEntity", "")
}

func TestListPoliciesGrantingServiceAccess(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	e.user("alice")
	e.group("devs", "alice")
	rpOK(t, inlineKinds[1].put(e, "devs", "g-in", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`))
	rpOK(t, inlineKinds[0].put(e, "alice", "u-in", rpDoc))
	rpOK(t, attachKinds[0].attach(e, "alice", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"))
	out, err := e.s.ListPoliciesGrantingServiceAccess(e.ctx, &iamapi.ListPoliciesGrantingServiceAccessRequest{
		Arn: protocol.Ptr("arn:aws:iam::123456789012:user/alice"), ServiceNamespaces: []string{"s3", "iam"}})
	rpOK(t, err)
	if len(out.PoliciesGrantingServiceAccess) != 2 || *out.IsTruncated {
		t.Fatalf("entries = %+v", out.PoliciesGrantingServiceAccess)
	}
	s3 := out.PoliciesGrantingServiceAccess[0].Policies
	if len(s3) != 3 {
		t.Fatalf("s3 policies = %+v", s3)
	}
	if *s3[0].PolicyType != "INLINE" || *s3[0].EntityType != "USER" || *s3[0].EntityName != "alice" ||
		*s3[1].EntityType != "GROUP" || *s3[2].PolicyType != "MANAGED" || s3[2].PolicyArn == nil || s3[2].EntityType != nil {
		t.Errorf("s3 policies = %+v", s3)
	}
	if iam := out.PoliciesGrantingServiceAccess[1].Policies; iam == nil || len(iam) != 0 {
		t.Errorf("iam policies = %+v", iam)
	}
	_, err = e.s.ListPoliciesGrantingServiceAccess(e.ctx, &iamapi.ListPoliciesGrantingServiceAccessRequest{
		Arn: protocol.Ptr("arn:aws:iam::123456789012:mfa/x"), ServiceNamespaces: []string{"s3"}})
	rpWant(t, err, "InvalidInput", "ARN arn:aws:iam::123456789012:mfa/x is not valid.")
}
