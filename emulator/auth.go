package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/sigv4"
	"github.com/iamlocal/iamlocal/storage"
)

// authenticate verifies the request's signature against the credential it names and returns
// the caller: an account root, an IAM user (long-term key) or an STS session.
func (s *Server) authenticate(r *http.Request, body []byte, now time.Time, skew time.Duration) (reqctx.Caller, error) {
	var caller reqctx.Caller
	var keyRec *storage.AccessKeyRecord
	lookup := func(akid string) (sigv4.Secret, error) {
		if a, ok := s.accounts[akid]; ok {
			caller = reqctx.Caller{Type: reqctx.Account, Account: a.ID, ARN: "arn:aws:iam::" + a.ID + ":root",
				UserID: a.ID, AccessKeyID: akid}
			return sigv4.Secret{SecretAccessKey: a.SecretAccessKey}, nil
		}
		var secret sigv4.Secret
		err := s.db.View("", func(tx *storage.Tx) error {
			if rec, err := storage.AccessKeys(tx).Get(akid); err == nil {
				if rec.Status != "Active" {
					return sigv4.ErrUnknownKey
				}
				c, err := userCaller(rec)
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
			secret = sigv4.Secret{SecretAccessKey: sess.Secret, SessionToken: sess.Token, Expiration: sess.Expiration}
			return nil
		})
		return secret, err
	}
	p, err := sigv4.Verify(r, body, sigv4.Options{Now: now, MaxSkew: skew, Lookup: lookup})
	if err != nil {
		return reqctx.Caller{}, err
	}
	if err := s.resolveUser(&caller); err != nil {
		return reqctx.Caller{}, err
	}
	if keyRec != nil {
		s.noteKeyUse(*keyRec, p.Service, p.Region, now)
	}
	return caller, nil
}

// userCaller builds the caller of an IAM user's (or root's) long-term access key. The user's
// path is part of its ARN, so the user record is read too.
func userCaller(rec storage.AccessKeyRecord) (reqctx.Caller, error) {
	if rec.UserName == "" { // a root access key created by the root user
		return reqctx.Caller{Type: reqctx.Account, Account: rec.Account, ARN: "arn:aws:iam::" + rec.Account + ":root",
			UserID: rec.Account, AccessKeyID: rec.AccessKeyID}, nil
	}
	return reqctx.Caller{Type: reqctx.User, Account: rec.Account, UserName: rec.UserName, AccessKeyID: rec.AccessKeyID}, nil
}

func sessionCaller(sess storage.SessionRecord) reqctx.Caller {
	return reqctx.Caller{Type: reqctx.PrincipalType(sess.Type), Account: sess.Account, ARN: sess.ARN, UserID: sess.UserID,
		AccessKeyID: sess.AccessKeyID, UserName: sess.UserName, RoleName: sess.RoleName, RoleARN: sess.RoleARN,
		SessionName: sess.SessionName, Temporary: true, SessionID: sess.AccessKeyID}
}

// resolveUser fills in the ARN and id of an IAM user caller from the user record, in the
// caller's account. A key whose user vanished is treated as unknown.
func (s *Server) resolveUser(c *reqctx.Caller) error {
	if c.Type != reqctx.User || c.ARN != "" {
		return nil
	}
	return s.db.View(c.Account, func(tx *storage.Tx) error {
		u, err := storage.Users(tx).Get(storage.Key(c.UserName))
		if err != nil {
			return &sigv4.Error{Kind: sigv4.KindUnknownKey, Message: "The security token included in the request is invalid."}
		}
		c.UserName = u.Name
		c.UserID = u.ID
		c.ARN = fmt.Sprintf("arn:aws:iam::%s:user%s%s", c.Account, u.Path, u.Name)
		return nil
	})
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
