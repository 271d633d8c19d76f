package emulator

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/sigv4"
	"github.com/iamlocal/iamlocal/storage"
)

// authenticate verifies the request's signature against the credential it names and returns
// the caller: an account root, an IAM user (long-term key) or an STS session.
func (s *Server) authenticate(parsed *sigv4.Parsed, r *http.Request, body []byte, now time.Time, skew time.Duration) (reqctx.Caller, error) {
	var caller reqctx.Caller
	var keyRec *storage.AccessKeyRecord
	// noIAM marks temporary credentials IAM refuses: GetFederationToken's, and GetSessionToken's
	// obtained without MFA ("GetSessionToken": "You cannot call any IAM API operations unless MFA
	// authentication information is included"); IAM answers InvalidClientTokenId.
	var noIAM bool
	lookup := func(akid string) (sigv4.Secret, error) {
		if a, ok := s.accounts[akid]; ok {
			caller = reqctx.Caller{Type: reqctx.Account, Account: a.ID, ARN: s.names(a.ID).Root().String(),
				UserID: a.ID, AccessKeyID: akid}
			return sigv4.Secret{SecretAccessKey: a.SecretAccessKey}, nil
		}
		var secret sigv4.Secret
		err := s.db.View("", func(tx *storage.Tx) error {
			if rec, err := storage.AccessKeys(tx).Get(akid); err == nil {
				if rec.Status != "Active" {
					return sigv4.ErrUnknownKey
				}
				c, err := userCaller(tx.In(rec.Account), s.names(rec.Account), rec)
				if err != nil {
					return err
				}
				caller, secret, keyRec = c, sigv4.Secret{SecretAccessKey: rec.Secret}, &rec
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
			caller = sessionCaller(sess)
			noIAM = sess.Type == "FederatedUser" || (sess.Type != "AssumedRole" && !sess.MFA)
			secret = sigv4.Secret{SecretAccessKey: sess.Secret, SessionToken: sess.Token, Expiration: sess.Expiration}
			return nil
		})
		return secret, err
	}
	p, err := sigv4.VerifyParsed(parsed, r, body, sigv4.Options{Now: now, MaxSkew: skew, Lookup: lookup})
	if err != nil {
		return reqctx.Caller{}, err
	}
	if noIAM && p.Service == "iam" {
		return reqctx.Caller{}, &sigv4.Error{Kind: sigv4.KindInvalidToken, Message: "The security token included in the request is invalid."}
	}
	if keyRec != nil {
		s.noteKeyUse(*keyRec, p.Service, p.Region, now)
	}
	return caller, nil
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
		ARN: names.User(u.Path, u.Name).String()}, nil
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
