package sts

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 and SHA-512
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// JSON Web Tokens (RFC 7519) signed with JWS compact serialisation (RFC 7515), verified
// against a JSON Web Key Set (RFC 7517): what AssumeRoleWithWebIdentity accepts from OpenID
// Connect providers, and what GetWebIdentityToken issues.

// jwt is a parsed, not yet verified token.
type jwt struct {
	Header  jwtHeader
	Claims  map[string]any
	signed  string // header.payload, the signing input
	sig     []byte
	rawBody []byte
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

var errNotJWT = errors.New("sts: not a JWT")

func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// parseJWT splits and decodes a compact JWS; numbers in the claims stay json.Number.
func parseJWT(token string) (*jwt, error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return nil, errNotJWT
	}
	t := &jwt{signed: parts[0] + "." + parts[1]}
	head, err := b64(parts[0])
	if err != nil || json.Unmarshal(head, &t.Header) != nil || t.Header.Alg == "" {
		return nil, errNotJWT
	}
	if t.rawBody, err = b64(parts[1]); err != nil {
		return nil, errNotJWT
	}
	dec := json.NewDecoder(bytes.NewReader(t.rawBody))
	dec.UseNumber()
	if dec.Decode(&t.Claims) != nil || t.Claims == nil {
		return nil, errNotJWT
	}
	if t.sig, err = b64(parts[2]); err != nil {
		return nil, errNotJWT
	}
	return t, nil
}

// str returns a string claim.
func (t *jwt) str(name string) string {
	s, _ := t.Claims[name].(string)
	return s
}

// strs returns a claim that is a string or a list of strings.
func (t *jwt) strs(name string) []string {
	switch v := t.Claims[name].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// num returns a NumericDate claim in whole seconds; ok is false when absent or not a number.
func (t *jwt) num(name string) (int64, bool) {
	n, ok := t.Claims[name].(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	return int64(f), err == nil
}

// jwk is one key of a key set.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

type jwks struct {
	Keys []jwk `json:"keys"`
}

// publicKey decodes an RSA or EC public key.
func (k jwk) publicKey() (crypto.PublicKey, error) {
	switch k.Kty {
	case "RSA":
		n, err1 := b64(k.N)
		e, err2 := b64(k.E)
		if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("sts: bad RSA key %q", k.Kid)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
	case "EC":
		var curve elliptic.Curve
		switch k.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, fmt.Errorf("sts: unsupported curve %q", k.Crv)
		}
		x, err1 := b64(k.X)
		y, err2 := b64(k.Y)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("sts: bad EC key %q", k.Kid)
		}
		pub := &ecdsa.PublicKey{Curve: curve, X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
		if !curve.IsOnCurve(pub.X, pub.Y) {
			return nil, fmt.Errorf("sts: EC key %q is not on its curve", k.Kid)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("sts: unsupported key type %q", k.Kty)
}

// parseJWKS decodes a key set and checks that every key is usable.
func parseJWKS(doc []byte) (jwks, error) {
	var set jwks
	if err := json.Unmarshal(doc, &set); err != nil {
		return set, fmt.Errorf("sts: key set is not JSON: %w", err)
	}
	if len(set.Keys) == 0 {
		return set, errors.New("sts: key set has no keys")
	}
	for _, k := range set.Keys {
		if _, err := k.publicKey(); err != nil {
			return set, err
		}
	}
	return set, nil
}

func algHash(alg string) (crypto.Hash, bool) {
	switch alg[2:] {
	case "256":
		return crypto.SHA256, true
	case "384":
		return crypto.SHA384, true
	case "512":
		return crypto.SHA512, true
	}
	return 0, false
}

// verify checks t's signature with the key set; ok is false when no key verifies it (the
// key named by kid, or any key when the header names none).
func (t *jwt) verify(set jwks) bool {
	alg := t.Header.Alg
	if len(alg) != 5 {
		return false
	}
	h, ok := algHash(alg)
	if !ok {
		return false
	}
	hw := h.New()
	hw.Write([]byte(t.signed))
	digest := hw.Sum(nil)
	for _, k := range set.Keys {
		if t.Header.Kid != "" && k.Kid != t.Header.Kid {
			continue
		}
		pub, err := k.publicKey()
		if err != nil {
			continue
		}
		switch p := pub.(type) {
		case *rsa.PublicKey:
			switch alg[:2] {
			case "RS":
				if rsa.VerifyPKCS1v15(p, h, digest, t.sig) == nil {
					return true
				}
			case "PS":
				if rsa.VerifyPSS(p, h, digest, t.sig, nil) == nil {
					return true
				}
			}
		case *ecdsa.PublicKey:
			size := (p.Curve.Params().BitSize + 7) / 8
			if alg[:2] == "ES" && len(t.sig) == 2*size {
				r := new(big.Int).SetBytes(t.sig[:size])
				s := new(big.Int).SetBytes(t.sig[size:])
				if ecdsa.Verify(p, digest, r, s) {
					return true
				}
			}
		}
	}
	return false
}

// signJWT signs claims with an RSA (RS256) or P-384 (ES384) private key.
func signJWT(header jwtHeader, claims any, key crypto.Signer) (string, error) {
	head, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := base64.RawURLEncoding.EncodeToString(head) + "." + base64.RawURLEncoding.EncodeToString(body)
	h, _ := algHash(header.Alg)
	hw := h.New()
	hw.Write([]byte(signed))
	digest := hw.Sum(nil)
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(nil, k, h, digest)
	case *ecdsa.PrivateKey:
		var r, s *big.Int
		if r, s, err = ecdsa.Sign(rand.Reader, k, digest); err == nil {
			size := (k.Curve.Params().BitSize + 7) / 8
			sig = make([]byte, 2*size)
			r.FillBytes(sig[:size])
			s.FillBytes(sig[size:])
		}
	default:
		err = errors.New("sts: unsupported signing key")
	}
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
