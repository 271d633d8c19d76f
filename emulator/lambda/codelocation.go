package lambda

import (
	"errors"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// CodePath is where the server serves a function's deployment package: AWS answers GetFunction
// with a short-lived presigned S3 URL, iamlocal with a URL of its own (GET
// /_iamlocal/lambda-code/<account>/<region>/<code key>), so tools that download the code work.
// Packages are stored per account and region, as the functions are.
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
	return base + CodePath + where.Account + "/" + where.Region + "/" + codeKey
}

// Code returns a stored deployment package by account, region and code key (hex SHA-256).
func (s *Service) Code(account, region, codeKey string) ([]byte, error) {
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
