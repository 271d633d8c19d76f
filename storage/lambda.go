package storage

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The Lambda records, all regional (region.go): each account and region keeps its functions in
// "lambda.functions" (name -> record) and, per function, a nested bucket "lambda.fn/<name>"
// holding the function's versions, aliases, resource policies, event invoke configs and URL
// configs, so deleting a function is one bucket deletion and its versions bucket's sequence
// numbers the published versions (1, 2, 3, ... never reused, restarting when the function is
// re-created). Deployment packages are stored once per account and region under their SHA-256
// (hex) in "lambda.code", as raw bytes rather than JSON. Layers follow the same pattern under
// "lambda.layers". lambdaBuckets lists every one of these buckets.

const (
	lambdaFunctionsBucket = "lambda.functions"
	lambdaFnBucket        = "lambda.fn"
	lambdaCodeBucket      = "lambda.code"
	lambdaLayersBucket    = "lambda.layers"
	lambdaLayerBucket     = "lambda.layer"
)

// lambdaBuckets are the regional buckets of Lambda's tables (this file and lambda_extra.go),
// which the upgrade to schema version 3 moved under their region (migrate.go).
var lambdaBuckets = []string{lambdaFunctionsBucket, lambdaFnBucket, lambdaCodeBucket, lambdaLayersBucket,
	lambdaLayerBucket, lambdaESMBucket, lambdaCSCBucket}

// LambdaFunctionRecord is a function: what is shared by all its versions.
type LambdaFunctionRecord struct {
	V       int               `json:"v"`
	Name    string            `json:"name"`
	Created time.Time         `json:"created"`
	Tags    map[string]string `json:"tags,omitempty"`
	// Reserved is the reserved concurrency (PutFunctionConcurrency), nil when none.
	Reserved *int32 `json:"reserved,omitempty"`
	// LastPublished is the number of the version PublishVersion last made and Published the
	// configuration fingerprint it was made from: publishing an unchanged $LATEST returns it.
	LastPublished int    `json:"lastPub,omitempty"`
	Published     string `json:"pubPrint,omitempty"`
}

// LambdaVersionRecord is the configuration of $LATEST or of a published version: everything
// an executor needs to run it (the code itself is LambdaCode(tx, CodeKey)).
type LambdaVersionRecord struct {
	V            int       `json:"v"`
	Version      string    `json:"version"` // "$LATEST" or "1", "2", ...
	Description  string    `json:"desc,omitempty"`
	RevisionID   string    `json:"rev"`
	LastModified time.Time `json:"modified"`

	PackageType string `json:"pkg"`               // Zip | Image
	CodeKey     string `json:"codeKey,omitempty"` // hex SHA-256: the key of the zip in LambdaCode
	CodeSha256  string `json:"sha"`               // as reported: base64 SHA-256 (Zip), hex digest (Image)
	CodeSize    int64  `json:"size"`
	ImageURI    string `json:"image,omitempty"`

	Runtime          string             `json:"runtime,omitempty"`
	Handler          string             `json:"handler,omitempty"`
	Role             string             `json:"role"`
	Timeout          int32              `json:"timeout"`
	MemorySize       int32              `json:"memory"`
	EphemeralStorage int32              `json:"ephemeral"`
	Architectures    []string           `json:"arch"`
	Environment      map[string]string  `json:"env,omitempty"`
	HasEnvironment   bool               `json:"hasEnv,omitempty"` // an Environment was given (reported even when empty)
	Layers           []LambdaLayerRef   `json:"layers,omitempty"`
	TracingMode      string             `json:"tracing"`
	DeadLetterTarget string             `json:"dlq,omitempty"`
	KMSKeyArn        string             `json:"kms,omitempty"`
	FileSystems      []LambdaFileSystem `json:"fs,omitempty"`
	VPC              *LambdaVPC         `json:"vpc,omitempty"`
	Logging          LambdaLogging      `json:"logging"`
	ImageConfig      *LambdaImageConfig `json:"imageConfig,omitempty"`
	SnapStart        string             `json:"snapStart,omitempty"` // ApplyOn: PublishedVersions | None

	// Transition is the state change a create or an update began and Lambda finishes
	// asynchronously: "Creating" (State Pending) or "Updating" (LastUpdateStatus InProgress),
	// "" when none is under way. It ends at Settles, when RevisionID becomes SettledRevision:
	// Lambda gives a function a new RevisionId when it turns Active and when an update
	// succeeds.
	Transition      string    `json:"transition,omitempty"`
	Settles         time.Time `json:"settles,omitzero"`
	SettledRevision string    `json:"settledRev,omitempty"`
}

// LambdaLayerRef is a layer version a function uses. CodeKey is the key of the layer
// version's package in the code bucket of the layer's account (the ARN's account), set when
// the layer version was one iamlocal holds: the package stays stored while a function version
// refers to it, also after DeleteLayerVersion (see LambdaCodeInUse). References written
// before CodeKey existed have none.
type LambdaLayerRef struct {
	ARN      string `json:"arn"`
	CodeSize int64  `json:"size"`
	CodeKey  string `json:"codeKey,omitempty"`
}

// Owner is the account of the layer version the reference names ("" when the ARN is not a
// layer version ARN of an account).
func (r LambdaLayerRef) Owner() string {
	p := strings.Split(r.ARN, ":")
	if len(p) != 8 || p[5] != "layer" {
		return ""
	}
	return p[4]
}

// LambdaFileSystem is an EFS access point mount.
type LambdaFileSystem struct {
	ARN       string `json:"arn"`
	MountPath string `json:"path"`
}

// LambdaVPC is a function's VPC attachment.
type LambdaVPC struct {
	SubnetIDs        []string `json:"subnets,omitempty"`
	SecurityGroupIDs []string `json:"sgs,omitempty"`
	IPv6DualStack    bool     `json:"ipv6,omitempty"`
}

// LambdaLogging is a function's logging configuration.
type LambdaLogging struct {
	LogFormat           string `json:"format,omitempty"`
	LogGroup            string `json:"group,omitempty"`
	ApplicationLogLevel string `json:"appLevel,omitempty"`
	SystemLogLevel      string `json:"sysLevel,omitempty"`
}

// LambdaImageConfig overrides a container image's settings.
type LambdaImageConfig struct {
	Command          []string `json:"cmd,omitempty"`
	EntryPoint       []string `json:"entry,omitempty"`
	WorkingDirectory string   `json:"wd,omitempty"`
}

// LambdaAliasRecord is an alias of a function.
type LambdaAliasRecord struct {
	V               int                `json:"v"`
	Name            string             `json:"name"`
	FunctionVersion string             `json:"version"`
	Description     string             `json:"desc,omitempty"`
	Weights         map[string]float64 `json:"weights,omitempty"` // additional version -> weight
	RevisionID      string             `json:"rev"`
}

// LambdaPolicyRecord is the resource-based policy of a function, version or alias: its
// statements, each the JSON text AddPermission built, in the order they were added.
type LambdaPolicyRecord struct {
	V          int      `json:"v"`
	Statements []string `json:"statements"`
}

// LambdaEventInvokeRecord is the asynchronous invocation configuration of one qualifier.
type LambdaEventInvokeRecord struct {
	V                int       `json:"v"`
	Qualifier        string    `json:"qualifier"` // "$LATEST", a version or an alias
	MaxRetryAttempts *int32    `json:"retries,omitempty"`
	MaxEventAge      *int32    `json:"age,omitempty"`
	OnSuccess        string    `json:"onSuccess,omitempty"`
	OnFailure        string    `json:"onFailure,omitempty"`
	LastModified     time.Time `json:"modified"`
}

// LambdaURLRecord is a function URL configuration; Qualifier is "" for the function itself.
type LambdaURLRecord struct {
	V            int         `json:"v"`
	Qualifier    string      `json:"qualifier,omitempty"`
	URLID        string      `json:"id"`
	AuthType     string      `json:"auth"`
	InvokeMode   string      `json:"mode,omitempty"`
	Cors         *LambdaCors `json:"cors,omitempty"`
	Created      time.Time   `json:"created"`
	LastModified time.Time   `json:"modified"`
}

// LambdaCors is a function URL's CORS settings.
type LambdaCors struct {
	AllowCredentials *bool    `json:"creds,omitempty"`
	AllowHeaders     []string `json:"headers,omitempty"`
	AllowMethods     []string `json:"methods,omitempty"`
	AllowOrigins     []string `json:"origins,omitempty"`
	ExposeHeaders    []string `json:"expose,omitempty"`
	MaxAge           *int32   `json:"maxAge,omitempty"`
}

// LambdaLayerVersionRecord is one published version of a layer.
type LambdaLayerVersionRecord struct {
	V                       int       `json:"v"`
	Version                 int64     `json:"version"`
	Description             string    `json:"desc,omitempty"`
	LicenseInfo             string    `json:"license,omitempty"`
	CompatibleRuntimes      []string  `json:"runtimes"`
	CompatibleArchitectures []string  `json:"archs"`
	CodeKey                 string    `json:"codeKey"`
	CodeSha256              string    `json:"sha"`
	CodeSize                int64     `json:"size"`
	Created                 time.Time `json:"created"`
	// Policy holds the statements of the layer version's resource policy.
	Policy         []string `json:"policy,omitempty"`
	PolicyRevision string   `json:"policyRev,omitempty"`
}

// LambdaLayerRecord names a layer; its versions live under LambdaLayerVersions.
type LambdaLayerRecord struct {
	V    int    `json:"v"`
	Name string `json:"name"`
}

// LambdaFunctions are keyed by function name (Lambda names are case-sensitive).
func LambdaFunctions(tx *Tx) Table[LambdaFunctionRecord] {
	return RegionTable[LambdaFunctionRecord](tx, lambdaFunctionsBucket)
}

func lambdaFnTable[T any](tx *Tx, function, name string) Table[T] {
	return Table[T]{tx: tx, root: bucketAccounts, path: tx.regionPath(lambdaFnBucket, function, name)}
}

// LambdaVersions of a function are keyed by LambdaVersionKey; NextSequence numbers new versions.
func LambdaVersions(tx *Tx, function string) Table[LambdaVersionRecord] {
	return lambdaFnTable[LambdaVersionRecord](tx, function, "versions")
}

// LambdaVersionKey is "$LATEST" as is and a version number zero-padded, so keys sort in
// version order after $LATEST ('$' sorts before digits).
func LambdaVersionKey(version string) string {
	if version == "$LATEST" {
		return version
	}
	n, err := strconv.ParseUint(version, 10, 64)
	if err != nil {
		return version
	}
	return fmt.Sprintf("%020d", n)
}

// LambdaAliases of a function are keyed by alias name.
func LambdaAliases(tx *Tx, function string) Table[LambdaAliasRecord] {
	return lambdaFnTable[LambdaAliasRecord](tx, function, "aliases")
}

// LambdaPolicies of a function are keyed by LambdaPolicyKey(qualifier).
func LambdaPolicies(tx *Tx, function string) Table[LambdaPolicyRecord] {
	return lambdaFnTable[LambdaPolicyRecord](tx, function, "policies")
}

// LambdaPolicyKey is the key of the policy of qualifier ("" for the function itself).
func LambdaPolicyKey(qualifier string) string {
	if qualifier == "" {
		return "*"
	}
	return qualifier
}

// LambdaEventInvokeConfigs of a function are keyed by qualifier ("$LATEST" for none).
func LambdaEventInvokeConfigs(tx *Tx, function string) Table[LambdaEventInvokeRecord] {
	return lambdaFnTable[LambdaEventInvokeRecord](tx, function, "eventinvoke")
}

// LambdaURLConfigs of a function are keyed by LambdaPolicyKey(qualifier).
func LambdaURLConfigs(tx *Tx, function string) Table[LambdaURLRecord] {
	return lambdaFnTable[LambdaURLRecord](tx, function, "urls")
}

// DeleteLambdaFunction removes a function's record and everything kept under it (versions,
// aliases, policies, configs). Code blobs are left to the caller (see LambdaCodeInUse).
func DeleteLambdaFunction(tx *Tx, function string) error {
	if err := LambdaFunctions(tx).Delete(function); err != nil {
		return err
	}
	b, err := tx.bucket(bucketAccounts, tx.regionPath(lambdaFnBucket)...)
	if err != nil || b == nil {
		return err
	}
	if err := b.DeleteBucket([]byte(function)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
		return err
	}
	return nil
}

// PutLambdaCode stores a deployment package under its hex SHA-256 (a no-op when present).
func PutLambdaCode(tx *Tx, key string, zip []byte) error {
	b, err := tx.bucket(bucketAccounts, tx.regionPath(lambdaCodeBucket)...)
	if err != nil {
		return err
	}
	if b == nil {
		return errors.New("storage: write in a read-only transaction")
	}
	if b.Get([]byte(key)) != nil {
		return nil
	}
	if len(zip) == 0 {
		zip = []byte{} // bbolt stores an empty value; nil would read back as absent
	}
	return b.Put([]byte(key), zip)
}

// LambdaCode returns a copy of the deployment package stored under key, or ErrNotFound.
func LambdaCode(tx *Tx, key string) ([]byte, error) {
	b, err := tx.bucket(bucketAccounts, tx.regionPath(lambdaCodeBucket)...)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, ErrNotFound
	}
	v := b.Get([]byte(key))
	if v == nil {
		return nil, ErrNotFound
	}
	return append([]byte{}, v...), nil
}

// DeleteLambdaCode removes the deployment package stored under key, if any.
func DeleteLambdaCode(tx *Tx, key string) error {
	b, err := tx.bucket(bucketAccounts, tx.regionPath(lambdaCodeBucket)...)
	if err != nil || b == nil {
		return err
	}
	return b.Delete([]byte(key))
}

// LambdaCodeInUse reports whether the package stored under key in the transaction's account
// and region is still used: by a function version or a layer version of the account there, or
// as a layer by a function version of any account in the region (a layer version's package
// outlives DeleteLayerVersion until no function refers to it, as Lambda keeps "a copy of the
// version"; a function uses only layers of its own region).
func LambdaCodeInUse(tx *Tx, key string) (bool, error) {
	found := errors.New("found")
	accounts, err := tx.lambdaAccounts()
	if err != nil {
		return false, err
	}
	for _, account := range accounts {
		other := &Tx{btx: tx.btx, memos: tx.memos, account: account, region: tx.region} // read-only view: creates no buckets
		names, err := LambdaFunctions(other).Keys("")
		if err != nil {
			return false, err
		}
		for _, name := range names {
			err := LambdaVersions(other, name).Scan("", func(_ string, v LambdaVersionRecord) error {
				if account == tx.account && v.CodeKey == key {
					return found
				}
				for _, l := range v.Layers {
					if l.CodeKey == key && l.Owner() == tx.account {
						return found
					}
				}
				return nil
			})
			if errors.Is(err, found) {
				return true, nil
			}
			if err != nil {
				return false, err
			}
		}
	}
	layers, err := LambdaLayers(tx).Keys("")
	if err != nil {
		return false, err
	}
	for _, name := range layers {
		err := LambdaLayerVersions(tx, name).Scan("", func(_ string, v LambdaLayerVersionRecord) error {
			if v.CodeKey == key {
				return found
			}
			return nil
		})
		if errors.Is(err, found) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
	}
	return false, nil
}

// lambdaAccounts lists the accounts that have Lambda functions in the transaction's region,
// the transaction's first.
func (tx *Tx) lambdaAccounts() ([]string, error) {
	out := []string{tx.account}
	root := tx.btx.Bucket(bucketAccounts)
	if root == nil {
		return out, nil
	}
	path := tx.regionPath(lambdaFunctionsBucket)[1:]
	err := root.ForEach(func(k, v []byte) error {
		if v != nil || string(k) == tx.account {
			return nil
		}
		b := root.Bucket(k)
		for _, p := range path {
			if b == nil {
				return nil
			}
			b = b.Bucket([]byte(p))
		}
		if b != nil {
			out = append(out, string(k))
		}
		return nil
	})
	return out, err
}

// LambdaLayers are keyed by layer name.
func LambdaLayers(tx *Tx) Table[LambdaLayerRecord] {
	return RegionTable[LambdaLayerRecord](tx, lambdaLayersBucket)
}

// LambdaLayerVersions of a layer are keyed by LambdaVersionKey(number); NextSequence numbers
// new versions, and the sequence survives the deletion of every version, as Lambda's does.
func LambdaLayerVersions(tx *Tx, layer string) Table[LambdaLayerVersionRecord] {
	return Table[LambdaLayerVersionRecord]{tx: tx, root: bucketAccounts, path: tx.regionPath(lambdaLayerBucket, layer)}
}
