package storage

import "time"

// AccessKeyRecord is an IAM user's long-term access key, indexed globally by key id so the
// request pipeline can find the account and owner before it knows either.
type AccessKeyRecord struct {
	V           int       `json:"v"`
	AccessKeyID string    `json:"id"`
	Secret      string    `json:"secret"`
	Account     string    `json:"account"`
	UserName    string    `json:"user"`   // display name of the owning user
	Status      string    `json:"status"` // Active | Inactive
	Created     time.Time `json:"created"`
	LastUsed    time.Time `json:"lastUsed,omitempty"`
	LastService string    `json:"lastService,omitempty"`
	LastRegion  string    `json:"lastRegion,omitempty"`
}

// AccessKeys is the global access key index: key id -> record. Each key is also indexed in its
// account by owner (UserEntity.AccessKeys).
func AccessKeys(tx *Tx) Table[AccessKeyRecord] {
	t := GlobalTable[AccessKeyRecord](tx, "accesskeys")
	t.indexes = accessKeyIndexes
	return t
}

// SessionRecord is a set of STS temporary credentials.
type SessionRecord struct {
	V           int               `json:"v"`
	AccessKeyID string            `json:"id"`
	Secret      string            `json:"secret"`
	Token       string            `json:"token"`
	Account     string            `json:"account"`
	Expiration  time.Time         `json:"exp"`
	Type        string            `json:"type"` // AssumedRole | FederatedUser | User (GetSessionToken)
	ARN         string            `json:"arn"`
	UserID      string            `json:"userId"`
	UserName    string            `json:"userName,omitempty"`
	RoleName    string            `json:"roleName,omitempty"`
	RoleARN     string            `json:"roleArn,omitempty"`
	SessionName string            `json:"sessionName,omitempty"`
	Policies    []string          `json:"policies,omitempty"`   // inline session policy documents
	PolicyARNs  []string          `json:"policyArns,omitempty"` // managed session policies
	Tags        map[string]string `json:"tags,omitempty"`
	Transitive  []string          `json:"transitive,omitempty"`
	SourceIdent string            `json:"sourceIdentity,omitempty"`
	Chained     bool              `json:"chained,omitempty"`
	SourceKeyID string            `json:"sourceKeyId,omitempty"` // the credentials that created this session
	// Issued is when the credentials were made (aws:TokenIssueTime).
	Issued time.Time `json:"issued,omitempty"`
	// MFA marks credentials obtained with a verified MFA code (aws:MultiFactorAuthPresent;
	// aws:MultiFactorAuthAge counts from Issued).
	MFA bool `json:"mfa,omitempty"`
	// Provider is the identity provider of a web identity or SAML session
	// (aws:FederatedProvider): an IAM OIDC or SAML provider ARN.
	Provider string `json:"provider,omitempty"`
	// RoleID is the unique id (AROA...) of the assumed role.
	RoleID string `json:"roleId,omitempty"`
}

// Sessions is the global index of temporary credentials: key id -> record.
func Sessions(tx *Tx) Table[SessionRecord] { return GlobalTable[SessionRecord](tx, "sessions") }
