package iam

import (
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// accountInfo returns the account's info record, creating it on first use: the first write
// transaction that needs it fixes the account's (root user's) creation date.
func (s *Service) accountInfo(ctx context.Context, tx *storage.Tx) (storage.AccountInfoRecord, error) {
	info, err := storage.AccountInfo(tx).Get(storage.KeyAccountInfo)
	if isNotFound(err) {
		info = storage.AccountInfoRecord{V: 1, Created: s.now(ctx)}
		err = storage.AccountInfo(tx).Put(storage.KeyAccountInfo, info)
	}
	return info, err
}

// Password policy. Without UpdateAccountPasswordPolicy an account has no policy (Get answers
// NoSuchEntity) and IAM applies its default rules to new passwords (see checkPassword).

func (s *Service) UpdateAccountPasswordPolicy(ctx context.Context, in *iamapi.UpdateAccountPasswordPolicyRequest) (*iamapi.Empty, error) {
	p := storage.PasswordPolicyRecord{
		V:                  1,
		MinLength:          6, // AWS's value when the parameter is omitted
		RequireSymbols:     protocol.Val(in.RequireSymbols),
		RequireNumbers:     protocol.Val(in.RequireNumbers),
		RequireUppercase:   protocol.Val(in.RequireUppercaseCharacters),
		RequireLowercase:   protocol.Val(in.RequireLowercaseCharacters),
		AllowUsersToChange: protocol.Val(in.AllowUsersToChangePassword),
		MaxAge:             protocol.Val(in.MaxPasswordAge),
		ReusePrevention:    protocol.Val(in.PasswordReusePrevention),
		HardExpiry:         protocol.Val(in.HardExpiry),
		HardExpirySet:      in.HardExpiry != nil,
	}
	if in.MinimumPasswordLength != nil {
		p.MinLength = *in.MinimumPasswordLength
	}
	err := s.update(ctx, func(tx *storage.Tx) error {
		return storage.PasswordPolicies(tx).Put(storage.KeyPasswordPolicy, p)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) GetAccountPasswordPolicy(ctx context.Context, _ *iamapi.Empty) (*iamapi.GetAccountPasswordPolicyResponse, error) {
	var p storage.PasswordPolicyRecord
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		p, err = storage.PasswordPolicies(tx).Get(storage.KeyPasswordPolicy)
		if isNotFound(err) {
			return iamapi.ErrNoSuchEntity("The Password Policy with domain name %s cannot be found.", account(ctx))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.PasswordPolicy{
		AllowUsersToChangePassword: protocol.Ptr(p.AllowUsersToChange),
		ExpirePasswords:            protocol.Ptr(p.MaxAge > 0),
		MinimumPasswordLength:      protocol.Ptr(p.MinLength),
		RequireLowercaseCharacters: protocol.Ptr(p.RequireLowercase),
		RequireNumbers:             protocol.Ptr(p.RequireNumbers),
		RequireSymbols:             protocol.Ptr(p.RequireSymbols),
		RequireUppercaseCharacters: protocol.Ptr(p.RequireUppercase),
	}
	if p.HardExpirySet {
		out.HardExpiry = protocol.Ptr(p.HardExpiry)
	}
	if p.MaxAge > 0 {
		out.MaxPasswordAge = protocol.Ptr(p.MaxAge)
	}
	if p.ReusePrevention > 0 {
		out.PasswordReusePrevention = protocol.Ptr(p.ReusePrevention)
	}
	return &iamapi.GetAccountPasswordPolicyResponse{PasswordPolicy: out}, nil
}

// DeleteAccountPasswordPolicy of an account without one answers a text different from Get's
// (both recorded against AWS by localstack's test_iam_account_password_policy).
func (s *Service) DeleteAccountPasswordPolicy(ctx context.Context, _ *iamapi.Empty) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		err := storage.PasswordPolicies(tx).Delete(storage.KeyPasswordPolicy)
		if isNotFound(err) {
			return iamapi.ErrNoSuchEntity("The account policy with name PasswordPolicy cannot be found.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// Account aliases. An account has at most one alias, and an alias names one account in the
// whole partition, so aliases live in a global table. Creating an alias for an account that
// already has another one replaces it, as the console's "Edit" does.

func (s *Service) CreateAccountAlias(ctx context.Context, in *iamapi.CreateAccountAliasRequest) (*iamapi.Empty, error) {
	alias := protocol.Val(in.AccountAlias)
	acct := account(ctx)
	err := s.update(ctx, func(tx *storage.Tx) error {
		aliases := storage.AccountAliases(tx)
		if rec, err := aliases.Get(alias); err == nil && rec.Account != acct {
			return iamapi.ErrEntityAlreadyExists("The account alias %s already exists.", alias)
		} else if err != nil && !isNotFound(err) {
			return err
		}
		info, err := s.accountInfo(ctx, tx)
		if err != nil {
			return err
		}
		if info.Alias != "" && info.Alias != alias {
			if err := aliases.Delete(info.Alias); err != nil && !isNotFound(err) {
				return err
			}
		}
		info.Alias = alias
		return errors.Join(
			aliases.Put(alias, storage.AccountAliasRecord{V: 1, Account: acct}),
			storage.AccountInfo(tx).Put(storage.KeyAccountInfo, info),
		)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) DeleteAccountAlias(ctx context.Context, in *iamapi.DeleteAccountAliasRequest) (*iamapi.Empty, error) {
	alias := protocol.Val(in.AccountAlias)
	err := s.update(ctx, func(tx *storage.Tx) error {
		info, err := storage.AccountInfo(tx).Get(storage.KeyAccountInfo)
		if err != nil && !isNotFound(err) {
			return err
		}
		if info.Alias != alias {
			return iamapi.ErrNoSuchEntity("The account alias %s cannot be found.", alias)
		}
		info.Alias = ""
		return errors.Join(
			storage.AccountAliases(tx).Delete(alias),
			storage.AccountInfo(tx).Put(storage.KeyAccountInfo, info),
		)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) ListAccountAliases(ctx context.Context, in *iamapi.ListAccountAliasesRequest) (*iamapi.ListAccountAliasesResponse, error) {
	var aliases []string
	err := s.view(ctx, func(tx *storage.Tx) error {
		info, err := storage.AccountInfo(tx).Get(storage.KeyAccountInfo)
		if err == nil && info.Alias != "" {
			aliases = append(aliases, info.Alias)
		}
		if isNotFound(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	p, err := paginate(aliases, func(a string) string { return a }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAccountAliasesResponse{AccountAliases: append([]string{}, p.Items...), IsTruncated: p.IsTruncated(), Marker: p.Marker}, nil
}

// GetAccountSummary counts the account's entities and reports AWS's default quotas (the
// values recorded against AWS by localstack's test_iam_account_summary).
func (s *Service) GetAccountSummary(ctx context.Context, _ *iamapi.Empty) (*iamapi.GetAccountSummaryResponse, error) {
	m := map[string]int32{
		"AccessKeysPerUserQuota":          quotaAccessKeysPerUser,
		"AssumeRolePolicySizeQuota":       2048,
		"AttachedPoliciesPerGroupQuota":   10,
		"AttachedPoliciesPerRoleQuota":    10,
		"AttachedPoliciesPerUserQuota":    10,
		"GroupPolicySizeQuota":            5120,
		"GroupsPerUserQuota":              quotaGroupsPerUser,
		"GroupsQuota":                     quotaGroups,
		"InstanceProfilesQuota":           1000,
		"PoliciesQuota":                   1500,
		"PolicySizeQuota":                 6144,
		"PolicyVersionsInUseQuota":        10000,
		"RolePolicySizeQuota":             10240,
		"RolesQuota":                      1000,
		"ServerCertificatesQuota":         20,
		"SigningCertificatesPerUserQuota": quotaCertsPerUser,
		"UserPolicySizeQuota":             2048,
		"UsersQuota":                      quotaUsers,
		"VersionsPerPolicyQuota":          5,
		// The emulated root user always has its configured access key, and no console
		// password or MFA device.
		"AccountAccessKeysPresent": 1,
		"AccountMFAEnabled":        0,
		"AccountPasswordPresent":   0,
	}
	err := s.view(ctx, func(tx *storage.Tx) error {
		count := func(n int) int32 { return int32(n) }
		m["Users"] = count(storage.Users(tx).Count(""))
		m["Groups"] = count(storage.Groups(tx).Count(""))
		m["Roles"] = count(storage.Roles(tx).Count(""))
		m["Policies"] = count(storage.Policies(tx).Count(""))
		m["PolicyVersionsInUse"] = count(storage.Attachments(tx).Count(""))
		m["InstanceProfiles"] = count(storage.InstanceProfiles(tx).Count(""))
		m["Providers"] = count(storage.OIDCProviders(tx).Count("") + storage.SAMLProviders(tx).Count(""))
		m["ServerCertificates"] = count(storage.ServerCertificates(tx).Count(""))
		m["GlobalEndpointTokenVersion"] = globalEndpointTokenVersion(tx)
		var devices, inUse int32
		if err := storage.MFADevices(tx).Scan("", func(_ string, d storage.MFADeviceRecord) error {
			devices++
			if d.User != "" {
				inUse++
			}
			return nil
		}); err != nil {
			return err
		}
		m["MFADevices"], m["MFADevicesInUse"] = devices, inUse
		if storage.RootUserScope(tx).SigningCerts().Count() > 0 {
			m["AccountSigningCertificatesPresent"] = 1
		} else {
			m["AccountSigningCertificatesPresent"] = 0
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetAccountSummaryResponse{SummaryMap: m}, nil
}

// Credential reports. AWS builds a report asynchronously and lets an account regenerate it
// at most every 4 hours; a report older than that has expired (IAM User Guide, "Getting
// credential reports"). The emulator builds it synchronously: the first Generate answers
// STARTED (with AWS's description), later ones COMPLETE.
const credentialReportTTL = 4 * time.Hour

func (s *Service) GenerateCredentialReport(ctx context.Context, _ *iamapi.Empty) (*iamapi.GenerateCredentialReportResponse, error) {
	now := s.now(ctx)
	started := false
	err := s.update(ctx, func(tx *storage.Tx) error {
		rep, err := storage.CredentialReports(tx).Get(storage.KeyCredReport)
		if err == nil && now.Sub(rep.Generated) < credentialReportTTL {
			return nil
		}
		if err != nil && !isNotFound(err) {
			return err
		}
		started = true
		report, err := s.credentialReport(ctx, tx)
		if err != nil {
			return err
		}
		return storage.CredentialReports(tx).Put(storage.KeyCredReport, storage.CredentialReportRecord{V: 1, Generated: now, CSV: report})
	})
	if err != nil {
		return nil, err
	}
	if started {
		return &iamapi.GenerateCredentialReportResponse{
			State:       protocol.Ptr("STARTED"),
			Description: protocol.Ptr("No report exists. Starting a new report generation task"),
		}, nil
	}
	return &iamapi.GenerateCredentialReportResponse{State: protocol.Ptr("COMPLETE")}, nil
}

// GetCredentialReport answers ReportNotPresent (410, no message, as recorded against AWS)
// before any Generate, and ReportExpired once the report is over 4 hours old.
func (s *Service) GetCredentialReport(ctx context.Context, _ *iamapi.Empty) (*iamapi.GetCredentialReportResponse, error) {
	var rep storage.CredentialReportRecord
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		rep, err = storage.CredentialReports(tx).Get(storage.KeyCredReport)
		if isNotFound(err) {
			return iamapi.ErrReportNotPresent("")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.now(ctx).Sub(rep.Generated) >= credentialReportTTL {
		return nil, iamapi.ErrReportExpired("The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.")
	}
	return &iamapi.GetCredentialReportResponse{
		Content:       []byte(rep.CSV),
		GeneratedTime: protocol.Ptr(rep.Generated),
		ReportFormat:  protocol.Ptr("text/csv"),
	}, nil
}

// Columns of the credential report (IAM User Guide, "Getting credential reports": report format).
var credentialReportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used",
	"password_last_changed", "password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

func reportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

func reportBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// credentialReport renders the CSV: the root user first, then every user by name. User names
// may contain commas, so fields are quoted as CSV requires.
func (s *Service) credentialReport(ctx context.Context, tx *storage.Tx) (string, error) {
	names := s.names(ctx)
	info, err := s.accountInfo(ctx, tx)
	if err != nil {
		return "", err
	}
	policy, err := storage.PasswordPolicies(tx).Get(storage.KeyPasswordPolicy)
	if err != nil && !isNotFound(err) {
		return "", err
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(credentialReportColumns) // writes to a strings.Builder cannot fail
	credCols := func(owner storage.UserEntity) ([]string, error) {
		var cols []string
		keys, err := ownedAccessKeys(owner)
		if err != nil {
			return nil, err
		}
		for i := range 2 {
			if i >= len(keys) {
				cols = append(cols, "false", "N/A", "N/A", "N/A", "N/A")
				continue
			}
			k := keys[i]
			used, region, service := "N/A", "N/A", "N/A"
			if !k.LastUsed.IsZero() {
				used, region, service = reportTime(k.LastUsed), k.LastRegion, k.LastService
			}
			cols = append(cols, reportBool(k.Status == "Active"), reportTime(k.Created), used, region, service)
		}
		certs, err := owner.SigningCerts().List()
		if err != nil {
			return nil, err
		}
		sortCerts(certs)
		for i := range 2 {
			if i >= len(certs) {
				cols = append(cols, "false", "N/A")
				continue
			}
			cols = append(cols, reportBool(certs[i].Status == "Active"), reportTime(certs[i].Uploaded))
		}
		return cols, nil
	}
	root := []string{"<root_account>", names.Root().String(), reportTime(info.Created),
		"not_supported", "no_information", "not_supported", "not_supported", "false"}
	cols, err := credCols(storage.RootUserScope(tx))
	if err != nil {
		return "", err
	}
	_ = w.Write(append(root, cols...))
	err = storage.Users(tx).Scan("", func(_ string, u storage.UserRecord) error {
		row := []string{u.Name, names.User(u.Path, u.Name).String(), reportTime(u.Created)}
		owner := storage.UserScope(tx, u.Name)
		lp, err := owner.LoginProfile().Get()
		switch {
		case isNotFound(err):
			row = append(row, "false", "N/A", "N/A", "N/A")
		case err != nil:
			return err
		default:
			lastUsed, next := "no_information", "N/A"
			if !u.PasswordLastUsed.IsZero() {
				lastUsed = reportTime(u.PasswordLastUsed)
			}
			if policy.MaxAge > 0 {
				next = reportTime(lp.Changed.AddDate(0, 0, int(policy.MaxAge)))
			}
			row = append(row, "true", lastUsed, reportTime(lp.Changed), next)
		}
		row = append(row, reportBool(owner.MFADevices().Count() > 0))
		cols, err := credCols(owner)
		if err != nil {
			return err
		}
		return w.Write(append(row, cols...))
	})
	w.Flush()
	return b.String(), err
}
