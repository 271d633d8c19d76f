package iam

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"unicode"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Console passwords are kept only as salted SHA-256 hashes: the emulator never needs them back,
// only to compare ChangePassword's OldPassword and to refuse reuse.

func hashPassword(salt, password string) string {
	sum := sha256.Sum256([]byte(salt + "\x00" + password))
	return hex.EncodeToString(sum[:])
}

func passwordMatches(lp storage.LoginProfileRecord, password string) bool {
	return subtle.ConstantTimeCompare([]byte(hashPassword(lp.Salt, password)), []byte(lp.Hash)) == 1
}

// passwordSymbols are the characters IAM counts as symbols (IAM User Guide, "Set an account
// password policy for IAM users").
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

func errPasswordPolicy() error {
	return iamapi.ErrPasswordPolicyViolation("Password does not conform to the account password policy.")
}

// checkPassword applies the account password policy, or without one IAM's default policy:
// at least 8 characters, three of the four character kinds, and not the account's name.
func checkPassword(tx *storage.Tx, password string) error {
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	p, err := storage.PasswordPolicies(tx).Get(storage.KeyPasswordPolicy)
	if isNotFound(err) {
		kinds := 0
		for _, b := range []bool{upper, lower, digit, symbol} {
			if b {
				kinds++
			}
		}
		info, _ := storage.AccountInfo(tx).Get(storage.KeyAccountInfo)
		if len(password) < 8 || kinds < 3 || password == tx.Account() || (info.Alias != "" && password == info.Alias) {
			return errPasswordPolicy()
		}
		return nil
	}
	if err != nil {
		return err
	}
	if int32(len(password)) < p.MinLength || (p.RequireUppercase && !upper) || (p.RequireLowercase && !lower) ||
		(p.RequireNumbers && !digit) || (p.RequireSymbols && !symbol) {
		return errPasswordPolicy()
	}
	return nil
}

func noSuchLoginProfile(user string) error {
	return iamapi.ErrNoSuchEntity("Login Profile for User %s cannot be found.", user)
}

func wireLoginProfile(lp storage.LoginProfileRecord) *iamapi.LoginProfile {
	return &iamapi.LoginProfile{
		CreateDate:            protocol.Ptr(lp.Created),
		PasswordResetRequired: protocol.Ptr(lp.ResetRequired),
		UserName:              protocol.Ptr(lp.User),
	}
}

// setPassword stores a new password hash, remembering the previous ones.
func (s *Service) setPassword(ctx context.Context, lp *storage.LoginProfileRecord, password string) {
	if lp.Hash != "" {
		lp.History = append([]string{lp.Salt + ":" + lp.Hash}, lp.History...)
		if len(lp.History) > 24 { // the largest PasswordReusePrevention
			lp.History = lp.History[:24]
		}
	}
	lp.Salt = s.ids.Token(16)
	lp.Hash = hashPassword(lp.Salt, password)
	lp.Changed = s.now(ctx)
}

func (s *Service) CreateLoginProfile(ctx context.Context, in *iamapi.CreateLoginProfileRequest) (*iamapi.CreateLoginProfileResponse, error) {
	var lp storage.LoginProfileRecord
	err := s.update(ctx, func(tx *storage.Tx) error {
		o, err := credentialOwner(ctx, tx, in.UserName, false)
		if err != nil {
			return err
		}
		profile := o.scope(tx).LoginProfile()
		if profile.Has() {
			return iamapi.ErrEntityAlreadyExists("Login Profile for user %s already exists.", o.User.Name)
		}
		if in.Password == nil {
			return awserr.Validation("Password is required to create a login profile for an IAM user.")
		}
		if err := checkPassword(tx, *in.Password); err != nil {
			return err
		}
		lp = storage.LoginProfileRecord{V: 1, User: o.User.Name, Created: s.now(ctx), ResetRequired: protocol.Val(in.PasswordResetRequired)}
		s.setPassword(ctx, &lp, *in.Password)
		return profile.Insert(lp)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateLoginProfileResponse{LoginProfile: wireLoginProfile(lp)}, nil
}

// ownLoginProfile reads the login profile of the (optionally named) user.
func ownLoginProfile(ctx context.Context, tx *storage.Tx, name *string) (storage.LoginProfileRecord, error) {
	o, err := credentialOwner(ctx, tx, name, false)
	if err != nil {
		return storage.LoginProfileRecord{}, err
	}
	lp, err := o.scope(tx).LoginProfile().Get()
	if isNotFound(err) {
		return lp, noSuchLoginProfile(o.User.Name)
	}
	return lp, err
}

func (s *Service) GetLoginProfile(ctx context.Context, in *iamapi.GetLoginProfileRequest) (*iamapi.GetLoginProfileResponse, error) {
	var lp storage.LoginProfileRecord
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		lp, err = ownLoginProfile(ctx, tx, in.UserName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetLoginProfileResponse{LoginProfile: wireLoginProfile(lp)}, nil
}

// UpdateLoginProfile is the administrator's reset: it applies the password policy's
// composition rules but not PasswordReusePrevention, which governs users changing their own.
func (s *Service) UpdateLoginProfile(ctx context.Context, in *iamapi.UpdateLoginProfileRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		lp, err := ownLoginProfile(ctx, tx, in.UserName)
		if err != nil {
			return err
		}
		if in.Password != nil {
			if err := checkPassword(tx, *in.Password); err != nil {
				return err
			}
			s.setPassword(ctx, &lp, *in.Password)
		}
		if in.PasswordResetRequired != nil {
			lp.ResetRequired = *in.PasswordResetRequired
		}
		return storage.UserScope(tx, lp.User).LoginProfile().Put(lp)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) DeleteLoginProfile(ctx context.Context, in *iamapi.DeleteLoginProfileRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		lp, err := ownLoginProfile(ctx, tx, in.UserName)
		if err != nil {
			return err
		}
		return storage.UserScope(tx, lp.User).LoginProfile().Delete()
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// ChangePassword lets an IAM user replace their own console password. The old password must
// match, the new one must satisfy the policy and must not be one of the last
// PasswordReusePrevention passwords. A successful change clears PasswordResetRequired.
func (s *Service) ChangePassword(ctx context.Context, in *iamapi.ChangePasswordRequest) (*iamapi.Empty, error) {
	if reqctx.From(ctx).Caller.Type != reqctx.User {
		return nil, iamapi.ErrInvalidUserType("Only IAM users can change their own password.")
	}
	err := s.update(ctx, func(tx *storage.Tx) error {
		lp, err := ownLoginProfile(ctx, tx, nil)
		if err != nil {
			return err
		}
		if !passwordMatches(lp, protocol.Val(in.OldPassword)) {
			return awserr.New("AccessDenied", 403, true, "The old password provided is incorrect.")
		}
		newPassword := protocol.Val(in.NewPassword)
		if err := checkPassword(tx, newPassword); err != nil {
			return err
		}
		if p, err := storage.PasswordPolicies(tx).Get(storage.KeyPasswordPolicy); err == nil && p.ReusePrevention > 0 {
			previous := append([]string{lp.Salt + ":" + lp.Hash}, lp.History...)
			for i, h := range previous {
				salt, hash, _ := strings.Cut(h, ":")
				if i < int(p.ReusePrevention) && hashPassword(salt, newPassword) == hash {
					return errPasswordPolicy()
				}
			}
		}
		s.setPassword(ctx, &lp, newPassword)
		lp.ResetRequired = false
		return storage.UserScope(tx, lp.User).LoginProfile().Put(lp)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}
