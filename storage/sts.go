package storage

import "time"

// Records of STS besides the session index (credentials.go): the signing keys that users
// supply for the OpenID Connect issuers they federate from, and the keys an account signs
// its outbound web identity tokens with.

// IssuerKeysRecord is the JSON Web Key Set of an OpenID Connect issuer. AWS fetches it from
// the issuer's jwks_uri; iamlocal works offline, so users hand it over through the admin
// endpoint. Keys are global: an issuer signs the same tokens whichever account trusts it.
type IssuerKeysRecord struct {
	V       int       `json:"v"`
	Issuer  string    `json:"issuer"` // as given, for display
	JWKS    string    `json:"jwks"`   // the key set document
	Updated time.Time `json:"updated"`
}

// IssuerKeys are keyed by OIDCProviderKey(issuer).
func IssuerKeys(tx *Tx) Table[IssuerKeysRecord] {
	return GlobalTable[IssuerKeysRecord](tx, "sts.issuerkeys")
}

// TokenSigningKeysRecord holds the private keys an account signs GetWebIdentityToken JWTs
// with: one RSA key (RS256) and one P-384 key (ES384), made on first use and kept.
type TokenSigningKeysRecord struct {
	V        int       `json:"v"`
	RSAKeyID string    `json:"rsaKid"`
	RSAPEM   string    `json:"rsa"` // PKCS #8 PEM
	ECKeyID  string    `json:"ecKid"`
	ECPEM    string    `json:"ec"` // PKCS #8 PEM
	Created  time.Time `json:"created"`
}

// TokenSigningKeys holds at most one record, at SettingsKey.
func TokenSigningKeys(tx *Tx) Table[TokenSigningKeysRecord] {
	return AccountTable[TokenSigningKeysRecord](tx, "sts.tokenkeys")
}

// In returns a view of the same transaction scoped to another account, in the same region, for
// the few operations that span two accounts in one call (AssumeRole of a cross-account role
// reads the caller's MFA device and writes the role's last use; a function uses a layer of
// another account of its region).
func (tx *Tx) In(account string) *Tx {
	return &Tx{btx: tx.btx, memos: tx.memos, account: account, region: tx.region, writable: tx.writable}
}
