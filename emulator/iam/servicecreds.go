package iam

import (
	"context"
	"encoding/base64"
	"sort"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Service-specific credentials: a user name and password for CodeCommit (HTTPS Git) and Amazon
// Keyspaces, or an API key for Amazon Bedrock. Two per user and service (IAM quotas).
const quotaServiceCredsPerService = 2

const bedrockService = "bedrock.amazonaws.com"

var serviceCredServices = map[string]bool{
	"codecommit.amazonaws.com": true,
	"cassandra.amazonaws.com":  true,
	bedrockService:             true,
}

// checkCredService answers AWS's text for a service without service-specific credentials
// (recorded by localstack: invalid-service-exception).
func checkCredService(name string) error {
	if !serviceCredServices[name] {
		return iamapi.ErrNoSuchEntity("No such service %s is supported for Service Specific Credentials", name)
	}
	return nil
}

func noSuchServiceCred(id string) error {
	return iamapi.ErrNoSuchEntity("No such credential %s exists", id)
}

// credStatus reports Expired for a credential past its expiration date.
func (s *Service) credStatus(ctx context.Context, c storage.ServiceCredRecord) string {
	if !c.Expires.IsZero() && !s.now(ctx).Before(c.Expires) {
		return "Expired"
	}
	return c.Status
}

// newServiceSecret issues the credential's secret: a password (CodeCommit, Keyspaces) or a
// Bedrock API key ("ABSK" and the base64 of the key's alias and secret, the shape of real keys).
func (s *Service) newServiceSecret(c *storage.ServiceCredRecord) {
	if c.Service == bedrockService {
		c.Secret = "ABSK" + base64.StdEncoding.EncodeToString([]byte(c.Alias+":"+s.ids.Secret()))
		return
	}
	c.Password = s.ids.Token(44)
}

func (s *Service) wireServiceCred(ctx context.Context, c storage.ServiceCredRecord) *iamapi.ServiceSpecificCredential {
	out := &iamapi.ServiceSpecificCredential{
		CreateDate:                  protocol.Ptr(c.Created),
		ServiceName:                 protocol.Ptr(c.Service),
		ServiceSpecificCredentialId: protocol.Ptr(c.ID),
		Status:                      protocol.Ptr(s.credStatus(ctx, c)),
		UserName:                    protocol.Ptr(c.User),
	}
	if c.Service == bedrockService {
		out.ServiceCredentialAlias, out.ServiceCredentialSecret = protocol.Ptr(c.Alias), protocol.Ptr(c.Secret)
	} else {
		out.ServiceUserName, out.ServicePassword = protocol.Ptr(c.ServiceUserName), protocol.Ptr(c.Password)
	}
	if !c.Expires.IsZero() {
		out.ExpirationDate = protocol.Ptr(c.Expires)
	}
	return out
}

func (s *Service) CreateServiceSpecificCredential(ctx context.Context, in *iamapi.CreateServiceSpecificCredentialRequest) (*iamapi.CreateServiceSpecificCredentialResponse, error) {
	service := protocol.Val(in.ServiceName)
	var c storage.ServiceCredRecord
	err := s.update(ctx, func(tx *storage.Tx) error {
		u, err := getUser(tx, protocol.Val(in.UserName))
		if err != nil {
			return err
		}
		if err := checkCredService(service); err != nil {
			return err
		}
		creds := storage.UserScope(tx, u.Name).ServiceCreds()
		existing, err := creds.List()
		if err != nil {
			return err
		}
		n := 0
		for _, c := range existing {
			if c.Service == service {
				n++
			}
		}
		if n >= quotaServiceCredsPerService {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d", quotaServiceCredsPerService)
		}
		// The service user name is fixed at creation and survives a rename of the user.
		login := u.Name + "-at-" + tx.Account()
		c = storage.ServiceCredRecord{V: 1, ID: s.ids.UniqueID("ACCA"), User: u.Name, Service: service,
			Status: "Active", Created: s.now(ctx)}
		if service == bedrockService {
			c.Alias = login
		} else {
			c.ServiceUserName = login
		}
		if days := protocol.Val(in.CredentialAgeDays); days > 0 {
			c.Expires = c.Created.AddDate(0, 0, int(days))
		}
		s.newServiceSecret(&c)
		return creds.Insert(c.ID, c)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateServiceSpecificCredentialResponse{ServiceSpecificCredential: s.wireServiceCred(ctx, c)}, nil
}

// ListServiceSpecificCredentials lists one user's credentials (the caller's without
// UserName), or with AllUsers every user's, optionally for one service, oldest first. Creation
// time is not the storage key order, so the credentials are read and sorted: a user has at most
// two per service, but AllUsers reads the account's.
func (s *Service) ListServiceSpecificCredentials(ctx context.Context, in *iamapi.ListServiceSpecificCredentialsRequest) (*iamapi.ListServiceSpecificCredentialsResponse, error) {
	service := protocol.Val(in.ServiceName)
	if service != "" {
		if err := checkCredService(service); err != nil {
			return nil, err
		}
	}
	var creds []storage.ServiceCredRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		var all []storage.ServiceCredRecord
		var err error
		if protocol.Val(in.AllUsers) {
			err = storage.ServiceCreds(tx).Scan("", func(_ string, c storage.ServiceCredRecord) error {
				all = append(all, c)
				return nil
			})
		} else {
			var o owner
			if o, err = credentialOwner(ctx, tx, in.UserName, false); err != nil {
				return err
			}
			all, err = o.scope(tx).ServiceCreds().List()
		}
		for _, c := range all {
			if service == "" || c.Service == service {
				creds = append(creds, c)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(creds, func(i, j int) bool {
		if !creds[i].Created.Equal(creds[j].Created) {
			return creds[i].Created.Before(creds[j].Created)
		}
		return creds[i].ID < creds[j].ID
	})
	p, err := paginate(creds, func(c storage.ServiceCredRecord) string {
		return c.Created.UTC().Format("20060102150405") + c.ID
	}, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	// Unlike IAM's other List operations, AWS sends no IsTruncated here while the list is
	// whole: the response held only ServiceSpecificCredentials until the model gained Marker
	// and IsTruncated with AllUsers, and LocalStack's provider, whose answers its
	// AWS-validated TestIAMServiceSpecificCredentials snapshots match, sends only that. A
	// cut page (MaxItems) still says so, beside its Marker.
	out := &iamapi.ListServiceSpecificCredentialsResponse{Marker: p.Marker,
		ServiceSpecificCredentials: []iamapi.ServiceSpecificCredentialMetadata{}}
	if p.Truncated {
		out.IsTruncated = p.IsTruncated()
	}
	for _, c := range p.Items {
		w := s.wireServiceCred(ctx, c)
		out.ServiceSpecificCredentials = append(out.ServiceSpecificCredentials, iamapi.ServiceSpecificCredentialMetadata{
			CreateDate: w.CreateDate, ExpirationDate: w.ExpirationDate, ServiceCredentialAlias: w.ServiceCredentialAlias,
			ServiceName: w.ServiceName, ServiceSpecificCredentialId: w.ServiceSpecificCredentialId,
			ServiceUserName: w.ServiceUserName, Status: w.Status, UserName: w.UserName,
		})
	}
	return out, nil
}

// ownedServiceCred runs fn on a credential of the (optionally named) user in one transaction.
func (s *Service) ownedServiceCred(ctx context.Context, name, id *string, fn func(creds storage.Children[storage.ServiceCredRecord], c storage.ServiceCredRecord) error) error {
	return s.update(ctx, func(tx *storage.Tx) error {
		o, err := credentialOwner(ctx, tx, name, false)
		if err != nil {
			return err
		}
		creds := o.scope(tx).ServiceCreds()
		c, err := creds.Get(protocol.Val(id))
		if isNotFound(err) {
			return noSuchServiceCred(protocol.Val(id))
		} else if err != nil {
			return err
		}
		return fn(creds, c)
	})
}

// ResetServiceSpecificCredential issues a new password (or API key) for the same credential.
func (s *Service) ResetServiceSpecificCredential(ctx context.Context, in *iamapi.ResetServiceSpecificCredentialRequest) (*iamapi.ResetServiceSpecificCredentialResponse, error) {
	var c storage.ServiceCredRecord
	err := s.ownedServiceCred(ctx, in.UserName, in.ServiceSpecificCredentialId, func(creds storage.Children[storage.ServiceCredRecord], cur storage.ServiceCredRecord) error {
		c = cur
		s.newServiceSecret(&c)
		return creds.Put(c.ID, c)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ResetServiceSpecificCredentialResponse{ServiceSpecificCredential: s.wireServiceCred(ctx, c)}, nil
}

func (s *Service) UpdateServiceSpecificCredential(ctx context.Context, in *iamapi.UpdateServiceSpecificCredentialRequest) (*iamapi.Empty, error) {
	err := s.ownedServiceCred(ctx, in.UserName, in.ServiceSpecificCredentialId, func(creds storage.Children[storage.ServiceCredRecord], c storage.ServiceCredRecord) error {
		c.Status = protocol.Val(in.Status)
		return creds.Put(c.ID, c)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) DeleteServiceSpecificCredential(ctx context.Context, in *iamapi.DeleteServiceSpecificCredentialRequest) (*iamapi.Empty, error) {
	err := s.ownedServiceCred(ctx, in.UserName, in.ServiceSpecificCredentialId, func(creds storage.Children[storage.ServiceCredRecord], c storage.ServiceCredRecord) error {
		return creds.Delete(c.ID)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}
