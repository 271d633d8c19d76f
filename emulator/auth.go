package emulator

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/sigv4"
	"github.com/iamlocal/iamlocal/storage"
)

// authenticate verifies the request's signature against the credential it names and returns
// the caller: an account root, an IAM user (long-term key) or an STS session.
func (s *Server) authenticate(parsed *sigv4.Parsed, r *http.Request, body []byte, now time.Time, skew time.Duration) (reqctx.Caller, error) {
	var found credential
	lookup := func(akid string) (sigv4.Secret, error) {
		var err error
		found, err = s.credential(akid)
		return found.secret, err
	}
	p, err := sigv4.VerifyParsed(parsed, r, body, sigv4.Options{Now: now, MaxSkew: skew, Lookup: lookup, Keys: &s.signingKeys})
	if err != nil {
		return reqctx.Caller{}, err
	}
	if found.noIAM && p.Service == "iam" {
		return reqctx.Caller{}, &sigv4.Error{Kind: sigv4.KindInvalidToken, Message: "The security token included in the request is invalid."}
	}
	if found.key != nil {
		s.noteKeyUse(*found.key, p.Service, p.Region, now)
	}
	return found.caller, nil
}

// credential is what an access key id stands for.
type credential struct {
	caller reqctx.Caller
	secret sigv4.Secret
	// key is the record of a long-term access key, for noteKeyUse.
	key *storage.AccessKeyRecord
	// noIAM marks temporary credentials IAM refuses: GetFederationToken's, and
	// GetSessionToken's obtained without MFA ("GetSessionToken": "You cannot call any IAM API
	// operations unless MFA authentication information is included"); IAM answers
	// InvalidClientTokenId.
	noIAM bool
}

// credentials remembers the credentials authentication read from the database, each until
// the database is next written (storage.DB.Writes), so a steady stream of requests opens no
// transaction and decodes no record to authenticate. Unknown and inactive keys are not kept:
// they are read again each time, as before.
type credentials struct {
	mu sync.Mutex
	m  map[string]cachedCredential
}

type cachedCredential struct {
	writes uint64
	credential
}

// maxCachedCredentials bounds the cache; a full one starts over.
const maxCachedCredentials = 10000

// credential looks up an access key id: a configured root key, else an IAM user's access key
// or an STS session, from the cache while the database is unchanged since they were read.
func (s *Server) credential(akid string) (credential, error) {
	if a, ok := s.accounts[akid]; ok {
		return credential{caller: reqctx.Caller{Type: reqctx.Account, Account: a.ID, ARN: s.names(a.ID).Root().String(),
			UserID: a.ID, AccessKeyID: akid}, secret: sigv4.Secret{SecretAccessKey: a.SecretAccessKey}}, nil
	}
	// Read before the transaction: a write committed meanwhile leaves the entry stale, and the
	// next request reads again.
	writes := s.db.Writes()
	s.creds.mu.Lock()
	hit, ok := s.creds.m[akid]
	s.creds.mu.Unlock()
	if ok && hit.writes == writes {
		return hit.credential, nil
	}
	c, err := s.readCredential(akid)
	if err != nil {
		return credential{}, err
	}
	s.creds.mu.Lock()
	if s.creds.m == nil || len(s.creds.m) >= maxCachedCredentials {
		s.creds.m = map[string]cachedCredential{}
	}
	s.creds.m[akid] = cachedCredential{writes: writes, credential: c}
	s.creds.mu.Unlock()
	return c, nil
}

// readCredential reads an access key id's credential from the database: an active access key
// and its user, else a session; sigv4.ErrUnknownKey for anything else.
func (s *Server) readCredential(akid string) (credential, error) {
	var c credential
	err := s.db.View("", func(tx *storage.Tx) error {
		if rec, err := storage.AccessKeys(tx).Get(akid); err == nil {
			if rec.Status != "Active" {
				return sigv4.ErrUnknownKey
			}
			caller, err := userCaller(tx.In(rec.Account), s.names(rec.Account), rec)
			if err != nil {
				return err
			}
			c = credential{caller: caller, secret: sigv4.Secret{SecretAccessKey: rec.Secret}, key: &rec}
			return nil
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		sess, err := storage.Sessions(tx).Get(akid)
		if errors.Is(err, storage.ErrNotFound) {
			return sigv4.ErrUnknownKey
		} else if err != nil {
			return err
		}
		c = credential{caller: sessionCaller(sess),
			secret: sigv4.Secret{SecretAccessKey: sess.Secret, SessionToken: sess.Token, Expiration: sess.Expiration},
			noIAM:  sess.Type == "FederatedUser" || (sess.Type != "AssumedRole" && !sess.MFA)}
		return nil
	})
	return c, err
}

// names is the scope of an account's IAM names in the server's partition.
func (s *Server) names(account string) arn.Scope {
	return arn.Scope{Partition: s.opts.Partition, Account: account}
}

// userCaller builds the caller of a long-term access key: the account's root (a root key) or
// the IAM user, whose path is part of its ARN. A key whose user vanished is unknown.
func userCaller(tx *storage.Tx, names arn.Scope, rec storage.AccessKeyRecord) (reqctx.Caller, error) {
	if rec.UserName == "" {
		return reqctx.Caller{Type: reqctx.Account, Account: rec.Account, ARN: names.Root().String(),
			UserID: rec.Account, AccessKeyID: rec.AccessKeyID}, nil
	}
	u, err := storage.Users(tx).Get(storage.Key(rec.UserName))
	if errors.Is(err, storage.ErrNotFound) {
		return reqctx.Caller{}, sigv4.ErrUnknownKey
	} else if err != nil {
		return reqctx.Caller{}, err
	}
	return reqctx.Caller{Type: reqctx.User, Account: rec.Account, UserName: u.Name, UserID: u.ID, AccessKeyID: rec.AccessKeyID,
		ARN: names.User(u.Path, u.Name).String(), UserRecord: &u}, nil
}

func sessionCaller(sess storage.SessionRecord) reqctx.Caller {
	return reqctx.Caller{Type: reqctx.PrincipalType(sess.Type), Account: sess.Account, ARN: sess.ARN, UserID: sess.UserID,
		AccessKeyID: sess.AccessKeyID, UserName: sess.UserName, RoleName: sess.RoleName, RoleARN: sess.RoleARN,
		SessionName: sess.SessionName, Temporary: true, SessionID: sess.AccessKeyID}
}

// noteKeyUse records GetAccessKeyLastUsed data. AWS reports it with coarse granularity, so a
// write happens only when the service or region changed or the last note is a minute old:
// steady traffic does not turn every request into a disk write.
func (s *Server) noteKeyUse(rec storage.AccessKeyRecord, service, region string, now time.Time) {
	if rec.LastService == service && rec.LastRegion == region && now.Sub(rec.LastUsed) < time.Minute {
		return
	}
	err := s.db.Update("", func(tx *storage.Tx) error {
		cur, err := storage.AccessKeys(tx).Get(rec.AccessKeyID)
		if err != nil {
			return nil // deleted meanwhile
		}
		cur.LastUsed, cur.LastService, cur.LastRegion = now.UTC(), strings.ToLower(service), region
		return storage.AccessKeys(tx).Put(rec.AccessKeyID, cur)
	})
	if err != nil {
		s.log.Warn("note access key use", "err", err)
	}
}
