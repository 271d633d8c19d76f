package storage

import "time"

// Records of the IAM "identities" family: the credentials that hang off users (login profiles,
// MFA devices, SSH keys, signing certificates, service-specific credentials) and account-wide
// settings (password policy, alias, credential report). Long-term access keys live in the
// global AccessKeys index (credentials.go). Credentials keyed per user use
// Join(Key(userName), id); the root user's signing certificates use an empty user key.

// LoginProfileRecord is a user's console password.
type LoginProfileRecord struct {
	V             int       `json:"v"`
	User          string    `json:"user"` // display name of the owning user
	Salt          string    `json:"salt"`
	Hash          string    `json:"hash"`            // hex SHA-256 of salt+password
	History       []string  `json:"hist,omitempty"`  // previous hashes, newest first (PasswordReusePrevention)
	ResetRequired bool      `json:"reset,omitempty"` // PasswordResetRequired
	Created       time.Time `json:"created"`         // CreateDate
	Changed       time.Time `json:"changed"`         // password_last_changed in the credential report
}

// MFADeviceRecord is a virtual MFA device. It exists unassigned after CreateVirtualMFADevice
// and is bound to a user by EnableMFADevice.
type MFADeviceRecord struct {
	V       int       `json:"v"`
	Serial  string    `json:"serial"` // arn:aws:iam::<acct>:mfa<path><name>
	Name    string    `json:"name"`
	Path    string    `json:"path"`
	Seed    string    `json:"seed"` // base32 TOTP secret, as handed out in Base32StringSeed
	Created time.Time `json:"created"`
	User    string    `json:"user,omitempty"` // display name of the user it is enabled for
	Enabled time.Time `json:"enabled,omitempty"`
	// LastStep is the last TOTP time step accepted, so a code cannot be replayed.
	LastStep int64 `json:"lastStep,omitempty"`
	// Drift is the clock offset in time steps learnt by ResyncMFADevice.
	Drift int64 `json:"drift,omitempty"`
	Tags  []Tag `json:"tags,omitempty"`
}

// SSHKeyRecord is an SSH public key (for CodeCommit) of a user.
type SSHKeyRecord struct {
	V           int       `json:"v"`
	ID          string    `json:"id"` // APKA...
	User        string    `json:"user"`
	Body        string    `json:"body"`        // OpenSSH single-line form
	PEM         string    `json:"pem"`         // PKIX PEM form, returned for Encoding=PEM
	Fingerprint string    `json:"fingerprint"` // MD5 of the key blob, colon-separated hex
	Status      string    `json:"status"`
	Uploaded    time.Time `json:"uploaded"`
}

// SigningCertRecord is an X.509 signing certificate of a user (or of the root user).
type SigningCertRecord struct {
	V        int       `json:"v"`
	ID       string    `json:"id"`
	User     string    `json:"user,omitempty"` // "" for the root user
	Body     string    `json:"body"`
	Status   string    `json:"status"`
	Uploaded time.Time `json:"uploaded"`
}

// ServiceCredRecord is a service-specific credential (CodeCommit Git credentials, Amazon
// Keyspaces, Bedrock API keys).
type ServiceCredRecord struct {
	V               int       `json:"v"`
	ID              string    `json:"id"` // ACCA...
	User            string    `json:"user"`
	Service         string    `json:"service"`
	ServiceUserName string    `json:"serviceUser,omitempty"`
	Password        string    `json:"password,omitempty"`
	Alias           string    `json:"alias,omitempty"`  // Bedrock ServiceCredentialAlias
	Secret          string    `json:"secret,omitempty"` // Bedrock ServiceCredentialSecret
	Status          string    `json:"status"`
	Created         time.Time `json:"created"`
	Expires         time.Time `json:"expires,omitempty"`
}

// PasswordPolicyRecord is the account password policy; absent until UpdateAccountPasswordPolicy.
type PasswordPolicyRecord struct {
	V                  int   `json:"v"`
	MinLength          int32 `json:"minLen"`
	RequireSymbols     bool  `json:"symbols,omitempty"`
	RequireNumbers     bool  `json:"numbers,omitempty"`
	RequireUppercase   bool  `json:"upper,omitempty"`
	RequireLowercase   bool  `json:"lower,omitempty"`
	AllowUsersToChange bool  `json:"allowChange,omitempty"`
	MaxAge             int32 `json:"maxAge,omitempty"` // days; 0 = passwords never expire
	ReusePrevention    int32 `json:"reuse,omitempty"`
	HardExpiry         bool  `json:"hardExpiry,omitempty"`
	HardExpirySet      bool  `json:"hardExpirySet,omitempty"` // HardExpiry appears in the output only once set
}

// AccountInfoRecord holds per-account facts that are not entities: when the account (its root
// user) came into being, and its alias.
type AccountInfoRecord struct {
	V       int       `json:"v"`
	Created time.Time `json:"created"`
	Alias   string    `json:"alias,omitempty"`
}

// AccountAliasRecord maps a globally unique account alias to its account.
type AccountAliasRecord struct {
	V       int    `json:"v"`
	Account string `json:"account"`
}

// CredentialReportRecord is the account's last generated credential report.
type CredentialReportRecord struct {
	V         int       `json:"v"`
	Generated time.Time `json:"generated"`
	CSV       string    `json:"csv"`
}

// Singleton keys of the per-account settings tables.
const (
	KeyPasswordPolicy = "policy"
	KeyAccountInfo    = "account"
	KeyCredReport     = "report"
)

// LoginProfiles are keyed Key(userName).
func LoginProfiles(tx *Tx) Table[LoginProfileRecord] {
	return AccountTable[LoginProfileRecord](tx, "iam.loginprofiles")
}

// MFADevices are keyed Key(name): like other IAM entity names, device names are unique per
// account whatever their path. They are indexed by the user they are enabled for
// (UserEntity.MFADevices).
func MFADevices(tx *Tx) Table[MFADeviceRecord] {
	return indexedTable(tx, "iam.mfadevices", mfaIndexes)
}

// SSHKeys are keyed Join(Key(userName), id).
func SSHKeys(tx *Tx) Table[SSHKeyRecord] { return AccountTable[SSHKeyRecord](tx, "iam.sshkeys") }

// SigningCerts are keyed Join(Key(userName), id); the root user's use Join("", id).
func SigningCerts(tx *Tx) Table[SigningCertRecord] {
	return AccountTable[SigningCertRecord](tx, "iam.signingcerts")
}

// ServiceCreds are keyed Join(Key(userName), id).
func ServiceCreds(tx *Tx) Table[ServiceCredRecord] {
	return AccountTable[ServiceCredRecord](tx, "iam.servicecreds")
}

// PasswordPolicies holds the one record KeyPasswordPolicy.
func PasswordPolicies(tx *Tx) Table[PasswordPolicyRecord] {
	return AccountTable[PasswordPolicyRecord](tx, "iam.passwordpolicy")
}

// AccountInfo holds the one record KeyAccountInfo.
func AccountInfo(tx *Tx) Table[AccountInfoRecord] {
	return AccountTable[AccountInfoRecord](tx, "iam.accountinfo")
}

// AccountAliases is global: aliases are unique across all accounts. Keyed by the alias.
func AccountAliases(tx *Tx) Table[AccountAliasRecord] {
	return GlobalTable[AccountAliasRecord](tx, "accountaliases")
}

// CredentialReports holds the one record KeyCredReport.
func CredentialReports(tx *Tx) Table[CredentialReportRecord] {
	return AccountTable[CredentialReportRecord](tx, "iam.credreport")
}
