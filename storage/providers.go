package storage

import (
	"strings"
	"time"
)

// Records of IAM's federation and certificate resources: OpenID Connect and SAML identity
// providers, server certificates, and the account-wide settings of outbound web identity
// federation and of the STS global endpoint. STS reads the providers when it verifies
// AssumeRoleWithWebIdentity tokens and AssumeRoleWithSAML assertions.

// OIDCProviderRecord is an IAM OpenID Connect identity provider.
type OIDCProviderRecord struct {
	V           int       `json:"v"`
	URL         string    `json:"url"` // as created, without the https:// scheme: host[/path]
	ARN         string    `json:"arn"`
	ClientIDs   []string  `json:"clientIds,omitempty"`   // audiences, in the order added
	Thumbprints []string  `json:"thumbprints,omitempty"` // hex SHA-1 of the IdP's certificates
	Tags        []Tag     `json:"tags,omitempty"`
	Created     time.Time `json:"created"`
}

// OIDCProviderKey is the storage key of an OIDC provider URL or token issuer: the URL without
// its scheme, host lower-cased (hosts are case-insensitive), path kept as is. A token's "iss"
// claim and the provider URL it was registered with give the same key.
func OIDCProviderKey(url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		url = url[i+3:]
	}
	host, path, hasPath := strings.Cut(url, "/")
	if !hasPath {
		return strings.ToLower(host)
	}
	return strings.ToLower(host) + "/" + path
}

// OIDCProviders are keyed by OIDCProviderKey(url).
func OIDCProviders(tx *Tx) Table[OIDCProviderRecord] {
	return AccountTable[OIDCProviderRecord](tx, "iam.oidcproviders")
}

// SAMLProviderRecord is an IAM SAML 2.0 identity provider.
type SAMLProviderRecord struct {
	V        int    `json:"v"`
	Name     string `json:"name"`
	UUID     string `json:"uuid"`
	Metadata string `json:"metadata"` // the metadata document as uploaded
	// Read from the metadata: the IdP's entityID (the Issuer of its assertions) and the
	// base64 DER certificates it signs assertions with.
	EntityID     string          `json:"entityId"`
	SigningCerts []string        `json:"signingCerts,omitempty"`
	ValidUntil   time.Time       `json:"validUntil"`
	Encryption   string          `json:"encryption,omitempty"` // AssertionEncryptionMode: Required | Allowed
	PrivateKeys  []SAMLKeyRecord `json:"keys,omitempty"`
	Tags         []Tag           `json:"tags,omitempty"`
	Created      time.Time       `json:"created"`
}

// SAMLKeyRecord is a private key that decrypts a SAML provider's encrypted assertions.
type SAMLKeyRecord struct {
	ID    string    `json:"id"`
	PEM   string    `json:"pem"`
	Added time.Time `json:"added"`
}

// SAMLProviders are keyed by Key(name).
func SAMLProviders(tx *Tx) Table[SAMLProviderRecord] {
	return AccountTable[SAMLProviderRecord](tx, "iam.samlproviders")
}

// ServerCertificateRecord is an uploaded server certificate. The private key is checked
// against the certificate on upload and not kept: IAM never returns it.
type ServerCertificateRecord struct {
	V          int       `json:"v"`
	Name       string    `json:"name"`
	ID         string    `json:"id"` // ASCA...
	Path       string    `json:"path"`
	Body       string    `json:"body"`
	Chain      string    `json:"chain,omitempty"`
	Expiration time.Time `json:"expiration"`
	Uploaded   time.Time `json:"uploaded"`
	Tags       []Tag     `json:"tags,omitempty"`
}

// ServerCertificates are keyed by Key(name).
func ServerCertificates(tx *Tx) Table[ServerCertificateRecord] {
	return AccountTable[ServerCertificateRecord](tx, "iam.servercerts")
}

// SettingsKey is the single key of the account-wide settings tables below.
const SettingsKey = "account"

// OutboundFederationRecord is the account's outbound web identity federation setting: whether
// principals may call STS GetWebIdentityToken, and the issuer URL of the tokens. The issuer
// is made once and kept, so disabling and re-enabling does not break relying parties.
type OutboundFederationRecord struct {
	V       int    `json:"v"`
	Enabled bool   `json:"enabled"`
	Issuer  string `json:"issuer"`
}

// OutboundFederation holds at most one record, at SettingsKey.
func OutboundFederation(tx *Tx) Table[OutboundFederationRecord] {
	return AccountTable[OutboundFederationRecord](tx, "iam.outboundfederation")
}

// STSPreferencesRecord is the account's SetSecurityTokenServicePreferences setting.
type STSPreferencesRecord struct {
	V                          int   `json:"v"`
	GlobalEndpointTokenVersion int32 `json:"globalTokenVersion"` // 1 or 2
}

// STSPreferences holds at most one record, at SettingsKey.
func STSPreferences(tx *Tx) Table[STSPreferencesRecord] {
	return AccountTable[STSPreferencesRecord](tx, "iam.stspreferences")
}
