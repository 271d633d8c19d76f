package iam

import (
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
)

func TestServiceSpecificCredentialLifecycle(t *testing.T) {
	t.Parallel()
	for _, service := range []string{"codecommit.amazonaws.com", "cassandra.amazonaws.com"} {
		t.Run(service, func(t *testing.T) {
			t.Parallel()
			e := newIDEnv(t)
			e.user("alice")
			out, err := e.s.CreateServiceSpecificCredential(e.root, &iamapi.CreateServiceSpecificCredentialRequest{UserName: idp("alice"), ServiceName: &service})
			idOK(t, err)
			c := out.ServiceSpecificCredential
			if *c.ServiceUserName != "alice-at-123456789012" || *c.ServicePassword == "" || !strings.HasPrefix(*c.ServiceSpecificCredentialId, "ACCA") ||
				*c.Status != "Active" || *c.ServiceName != service || c.ServiceCredentialSecret != nil {
				t.Fatalf("create = %+v", c)
			}
			id := c.ServiceSpecificCredentialId
			_, err = e.s.UpdateServiceSpecificCredential(e.root, &iamapi.UpdateServiceSpecificCredentialRequest{UserName: idp("alice"), ServiceSpecificCredentialId: id, Status: idp("Inactive")})
			idOK(t, err)
			list, err := e.s.ListServiceSpecificCredentials(e.root, &iamapi.ListServiceSpecificCredentialsRequest{UserName: idp("alice"), ServiceName: &service})
			idOK(t, err)
			if len(list.ServiceSpecificCredentials) != 1 || *list.ServiceSpecificCredentials[0].Status != "Inactive" {
				t.Fatalf("list = %+v", list.ServiceSpecificCredentials)
			}
			reset, err := e.s.ResetServiceSpecificCredential(e.asUser("alice"), &iamapi.ResetServiceSpecificCredentialRequest{ServiceSpecificCredentialId: id})
			idOK(t, err)
			if *reset.ServiceSpecificCredential.ServicePassword == *c.ServicePassword || *reset.ServiceSpecificCredential.ServiceSpecificCredentialId != *id {
				t.Fatalf("reset = %+v", reset.ServiceSpecificCredential)
			}
			_, err = e.s.DeleteServiceSpecificCredential(e.root, &iamapi.DeleteServiceSpecificCredentialRequest{UserName: idp("alice"), ServiceSpecificCredentialId: id})
			idOK(t, err)
			_, err = e.s.DeleteServiceSpecificCredential(e.root, &iamapi.DeleteServiceSpecificCredentialRequest{UserName: idp("alice"), ServiceSpecificCredentialId: id})
			idCode(t, err, "NoSuchEntity", "No such credential "+*id+" exists")
		})
	}
}

// Texts recorded against AWS by localstack's TestIAMServiceSpecificCredentials.
func TestServiceSpecificCredentialErrors(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	create := func(user, service string) error {
		_, err := e.s.CreateServiceSpecificCredential(e.root, &iamapi.CreateServiceSpecificCredentialRequest{UserName: &user, ServiceName: &service})
		return err
	}
	idCode(t, create("non-existent-user", "codecommit.amazonaws.com"), "NoSuchEntity", "The user with name non-existent-user cannot be found.")
	for _, svc := range []string{"nonexistentservice.amazonaws.com", "o3on3n3onosneo", "lambda.amazonaws.com"} {
		idCode(t, create("u", svc), "NoSuchEntity", "No such service "+svc+" is supported for Service Specific Credentials")
	}
	_, err := e.s.ListServiceSpecificCredentials(e.root, &iamapi.ListServiceSpecificCredentialsRequest{UserName: idp("u"), ServiceName: idp("nonexistentservice.amazonaws.com")})
	idCode(t, err, "NoSuchEntity")
	idOK(t, create("u", "codecommit.amazonaws.com"))
	idOK(t, create("u", "codecommit.amazonaws.com"))
	idCode(t, create("u", "codecommit.amazonaws.com"), "LimitExceeded")
	other, err := e.s.ListServiceSpecificCredentials(e.root, &iamapi.ListServiceSpecificCredentialsRequest{UserName: idp("u"), ServiceName: idp("cassandra.amazonaws.com")})
	idOK(t, err)
	if other.ServiceSpecificCredentials == nil || len(other.ServiceSpecificCredentials) != 0 {
		t.Fatalf("credentials of another service = %+v", other.ServiceSpecificCredentials)
	}
	_, err = e.s.UpdateServiceSpecificCredential(e.root, &iamapi.UpdateServiceSpecificCredentialRequest{UserName: idp("wrong-user-name"),
		ServiceSpecificCredentialId: idp("ACCAAAAAAAAAAAAAAAAAA"), Status: idp("Inactive")})
	idCode(t, err, "NoSuchEntity", "The user with name wrong-user-name cannot be found.")
	_, err = e.s.ResetServiceSpecificCredential(e.root, &iamapi.ResetServiceSpecificCredentialRequest{UserName: idp("u"), ServiceSpecificCredentialId: idp("satisfiesregexbutstillinvalid")})
	idCode(t, err, "NoSuchEntity", "No such credential satisfiesregexbutstillinvalid exists")
}

func TestBedrockAPIKeysAndAllUsers(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("a")
	e.user("b")
	out, err := e.s.CreateServiceSpecificCredential(e.root, &iamapi.CreateServiceSpecificCredentialRequest{UserName: idp("a"),
		ServiceName: idp("bedrock.amazonaws.com"), CredentialAgeDays: idp(int32(1))})
	idOK(t, err)
	c := out.ServiceSpecificCredential
	if *c.ServiceCredentialAlias != "a-at-123456789012" || !strings.HasPrefix(*c.ServiceCredentialSecret, "ABSK") || c.ServicePassword != nil ||
		!c.ExpirationDate.Equal(idNow.AddDate(0, 0, 1)) {
		t.Fatalf("bedrock key = %+v", c)
	}
	_, err = e.s.CreateServiceSpecificCredential(e.root, &iamapi.CreateServiceSpecificCredentialRequest{UserName: idp("b"), ServiceName: idp("codecommit.amazonaws.com")})
	idOK(t, err)
	all, err := e.s.ListServiceSpecificCredentials(e.root, &iamapi.ListServiceSpecificCredentialsRequest{AllUsers: idp(true)})
	idOK(t, err)
	if len(all.ServiceSpecificCredentials) != 2 {
		t.Fatalf("all users = %+v", all.ServiceSpecificCredentials)
	}
	// After its age the key reports Expired.
	later, err := e.s.ListServiceSpecificCredentials(e.at(idNow.Add(25*time.Hour)), &iamapi.ListServiceSpecificCredentialsRequest{UserName: idp("a")})
	idOK(t, err)
	if len(later.ServiceSpecificCredentials) != 1 || *later.ServiceSpecificCredentials[0].Status != "Expired" {
		t.Fatalf("expired key = %+v", later.ServiceSpecificCredentials)
	}
	_, err = e.s.ListServiceSpecificCredentials(e.asRole(), &iamapi.ListServiceSpecificCredentialsRequest{})
	idCode(t, err, "ValidationError")
}
