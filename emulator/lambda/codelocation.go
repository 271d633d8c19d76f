package lambda

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// CodePath is where the server serves a function's deployment package and a layer version's
// archive: AWS answers GetFunction and GetLayerVersion with a short-lived presigned S3 URL, iamlocal with a URL of its own (GET
// /_iamlocal/lambda-code/<account>/<region>/<code key>/<token>), so tools that download the
// code work. Packages are stored per account and region, as the functions are. The code key is
// the zip's SHA-256, which GetFunctionConfiguration reveals to anyone allowed to read the
// configuration; the token, an HMAC of account, region and key under the server's download
// key, is what only a GetFunction answer carries.
const CodePath = "/_iamlocal/lambda-code/"

// codeLocation is the download URL of a zip, "" while the server's address is unknown.
func (s *Service) codeLocation(where arn.Scope, codeKey string) string {
	if codeKey == "" || s.hooks.Endpoint == nil {
		return ""
	}
	base := s.hooks.Endpoint()
	if base == "" {
		return ""
	}
	return base + CodePath + where.Account + "/" + where.Region + "/" + codeKey + "/" + s.downloadToken(where.Account, where.Region, codeKey)
}

// downloadToken is the token of a code download URL: 128 bits of HMAC-SHA256.
func (s *Service) downloadToken(account, region, codeKey string) string {
	mac := hmac.New(sha256.New, s.downloadKey)
	mac.Write([]byte(account + "\x00" + region + "\x00" + codeKey))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// Code returns a stored deployment package by account, region, code key (hex SHA-256) and the
// token of its download URL; a wrong token is ErrNotFound, as a missing package is.
func (s *Service) Code(account, region, codeKey, token string) ([]byte, error) {
	if !hmac.Equal([]byte(token), []byte(s.downloadToken(account, region, codeKey))) {
		return nil, storage.ErrNotFound
	}
	var out []byte
	err := s.db.ViewRegion(account, region, func(tx *storage.Tx) error {
		b, err := storage.LambdaCode(tx, codeKey)
		if err != nil {
			return err
		}
		out = append([]byte(nil), b...)
		return nil
	})
	if out == nil && err == nil {
		err = storage.ErrNotFound
	}
	if errors.Is(err, storage.ErrNotFound) {
		return nil, storage.ErrNotFound
	}
	return out, err
}
