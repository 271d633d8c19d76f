package lambda

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"regexp"

	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Error texts of code uploads, as Lambda answers them (conformance/errors recordings:
// test_create_lambda_exceptions invalid_zip_exc, test_oversized_zipped_create_lambda,
// test_oversized_unzipped_lambda, test_lambda_code_location_s3_errors).
const (
	msgBadZip       = "Could not unzip uploaded file. Please check your file, then try to upload again."
	msgNoCodeSource = "Please provide a source for function code."
	msgNoSuchBucket = "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist"
)

// ValidateZip checks a deployment package the way Lambda does when it unpacks one: it must be
// a zip archive of at most 50 MB whose files, once unzipped, come to less than 250 MB
// ("Lambda quotas": 50 MB zipped for direct upload, 250 MB unzipped). It returns the
// unzipped size. The errors are typed: RequestEntityTooLargeException (413) for an
// oversized upload, InvalidParameterValueException otherwise. Every entry is read to its end,
// so corrupt data and wrong CRCs are caught, and declared sizes are never trusted: reading
// stops once the unzipped total passes the limit.
func ValidateZip(data []byte) (int64, error) {
	if len(data) > maxZipped {
		return 0, awserr.New("RequestEntityTooLargeException", 413, true, "Zipped size must be smaller than %d bytes", maxZipped)
	}
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, invalid(msgBadZip)
	}
	tooBig := invalid("Unzipped size must be smaller than %d bytes", maxUnzipped)
	var total int64
	for _, f := range r.File {
		if f.UncompressedSize64 > maxUnzipped || total+int64(f.UncompressedSize64) > maxUnzipped {
			return 0, tooBig
		}
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return 0, invalid(msgBadZip)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(rc, maxUnzipped-total+1))
		rc.Close()
		total += n
		if total > maxUnzipped {
			return 0, tooBig
		}
		if err != nil {
			return 0, invalid(msgBadZip)
		}
	}
	return total, nil
}

// codeSha256 is Lambda's CodeSha256 of a zip: the base64 of its SHA-256.
func codeSha256(data []byte) string {
	sum := sha256.Sum256(data)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// ecrImage is the form of a container image URI Lambda accepts: an Amazon ECR repository
// with a tag or a digest.
var ecrImage = regexp.MustCompile(`^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/[a-z0-9._/-]+(:[\w.-]+|@sha256:[a-f0-9]{64})$`)

// code is a deployment package checked and ready to store.
type code struct {
	packageType string
	key         string // hex SHA-256 of the zip (the storage key)
	sha         string // reported CodeSha256
	size        int64
	imageURI    string
	zip         []byte
}

// codeFromInput checks the code of a CreateFunction or UpdateFunctionCode request. iamlocal
// has no S3: a bucket is answered as a missing one, as Lambda answers for a bucket that does
// not exist. A container image is accepted when its URI has the form of an ECR image (it is
// stored, not pulled; iamlocal runs only zip functions).
func codeFromInput(packageType string, zipFile []byte, s3Bucket, imageURI string) (code, error) {
	switch {
	case packageType == "Image":
		if imageURI == "" {
			return code{}, invalid("Please provide ImageUri when updating a function with packageType Image.")
		}
		if !ecrImage.MatchString(imageURI) {
			return code{}, invalid("Source image %s is not valid. Provide a valid source image.", imageURI)
		}
		sum := sha256.Sum256([]byte(imageURI))
		return code{packageType: "Image", sha: fmt.Sprintf("%x", sum[:]), imageURI: imageURI}, nil
	case imageURI != "":
		return code{}, invalid("Please don't provide ImageUri when updating a function with packageType Zip.")
	case zipFile != nil:
		if _, err := ValidateZip(zipFile); err != nil {
			return code{}, err
		}
		return code{packageType: "Zip", key: hexSHA256(zipFile), sha: codeSha256(zipFile), size: int64(len(zipFile)), zip: zipFile}, nil
	case s3Bucket != "":
		return code{}, invalid(msgNoSuchBucket)
	}
	return code{}, invalid(msgNoCodeSource)
}

// store writes a zip package (once per content) into the account's code bucket.
func (c code) store(tx *storage.Tx) error {
	if c.packageType != "Zip" {
		return nil
	}
	return storage.PutLambdaCode(tx, c.key, c.zip)
}

// releaseCode deletes stored packages no version or layer of the account uses any more.
func releaseCode(tx *storage.Tx, keys ...string) error {
	seen := map[string]bool{}
	for _, k := range keys {
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		used, err := storage.LambdaCodeInUse(tx, k)
		if err != nil {
			return err
		}
		if !used {
			if err := storage.DeleteLambdaCode(tx, k); err != nil {
				return err
			}
		}
	}
	return nil
}

// releaseLayerCode deletes the packages of the layer versions refs name that nothing uses any
// more, in each layer's account: those of layer versions deleted while function versions still
// referred to them, once the last of those references goes.
func releaseLayerCode(tx *storage.Tx, refs ...storage.LambdaLayerRef) error {
	for _, ref := range refs {
		if ref.CodeKey == "" || ref.Owner() == "" {
			continue
		}
		if err := releaseCode(tx.In(ref.Owner()), ref.CodeKey); err != nil {
			return err
		}
	}
	return nil
}
