package storage

import (
	"encoding/json"
	"time"
)

// More Lambda records, regional like the others: event source mappings and code signing
// configs live in buckets of the account and region ("lambda.esm" by UUID, "lambda.csc" by
// configuration id); a function's settings (its code signing config and recursion setting),
// provisioned concurrency configs and runtime management configs live under the function's
// nested bucket ("lambda.fn/<name>"), so DeleteLambdaFunction removes them with the function.
// Event source mappings outlive their function, as Lambda's do.

const (
	lambdaESMBucket = "lambda.esm"
	lambdaCSCBucket = "lambda.csc"
)

// LambdaESMRecord is an event source mapping.
type LambdaESMRecord struct {
	V                 int        `json:"v"`
	UUID              string     `json:"uuid"`
	Kind              string     `json:"kind"` // sqs | kinesis | dynamodb | kafka | mq | docdb | selfkafka
	EventSourceArn    string     `json:"source,omitempty"`
	Function          string     `json:"fn"`
	Qualifier         string     `json:"qualifier,omitempty"`
	Enabled           bool       `json:"enabled"`
	BatchSize         int32      `json:"batch"`
	BatchWindow       int32      `json:"window"`
	StartingPosition  string     `json:"start,omitempty"`
	StartingTimestamp *time.Time `json:"startAt,omitempty"`
	Parallelization   *int32     `json:"parallel,omitempty"`
	MaxRecordAge      *int32     `json:"age,omitempty"`
	MaxRetries        *int32     `json:"retries,omitempty"`
	Bisect            *bool      `json:"bisect,omitempty"`
	TumblingWindow    *int32     `json:"tumbling,omitempty"`
	ResponseTypes     []string   `json:"responseTypes,omitempty"`
	Topics            []string   `json:"topics,omitempty"`
	Queues            []string   `json:"queues,omitempty"`
	KMSKeyArn         string     `json:"kms,omitempty"`
	// Settings holds the nested settings Lambda stores and reports back unchanged (filter
	// criteria, destinations, source access, Kafka, DocumentDB, scaling, logging, metrics,
	// poller configs) as the service's own JSON document.
	Settings     json.RawMessage   `json:"settings,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	Created      time.Time         `json:"created"`
	LastModified time.Time         `json:"modified"`
}

// LambdaESMs are keyed by UUID.
func LambdaESMs(tx *Tx) Table[LambdaESMRecord] {
	return RegionTable[LambdaESMRecord](tx, lambdaESMBucket)
}

// LambdaCSCRecord is a code signing configuration.
type LambdaCSCRecord struct {
	V                 int               `json:"v"`
	ID                string            `json:"id"` // csc-<17 hex>
	Description       string            `json:"desc,omitempty"`
	SigningProfiles   []string          `json:"profiles"`
	UntrustedArtifact string            `json:"untrusted"` // Warn | Enforce
	Tags              map[string]string `json:"tags,omitempty"`
	LastModified      time.Time         `json:"modified"`
}

// LambdaCSCs are keyed by configuration id.
func LambdaCSCs(tx *Tx) Table[LambdaCSCRecord] {
	return RegionTable[LambdaCSCRecord](tx, lambdaCSCBucket)
}

// LambdaFunctionSettingsRecord holds function-level settings kept apart from the function
// record: the code signing config (its id, "" for none) and the recursion setting.
type LambdaFunctionSettingsRecord struct {
	V             int    `json:"v"`
	CodeSigning   string `json:"csc,omitempty"`
	RecursiveLoop string `json:"recursion,omitempty"`
}

// LambdaFunctionSettings of a function are stored under the single key "*".
func LambdaFunctionSettings(tx *Tx, function string) Table[LambdaFunctionSettingsRecord] {
	return lambdaFnTable[LambdaFunctionSettingsRecord](tx, function, "settings")
}

// LambdaProvisionedRecord is the provisioned concurrency config of a version or an alias.
type LambdaProvisionedRecord struct {
	V            int       `json:"v"`
	Qualifier    string    `json:"qualifier"`
	Requested    int32     `json:"requested"`
	LastModified time.Time `json:"modified"`
}

// LambdaProvisioned of a function are keyed by qualifier (a version number or alias name).
func LambdaProvisioned(tx *Tx, function string) Table[LambdaProvisionedRecord] {
	return lambdaFnTable[LambdaProvisionedRecord](tx, function, "provisioned")
}

// LambdaRuntimeRecord is the runtime management config of $LATEST or a version.
type LambdaRuntimeRecord struct {
	V                 int    `json:"v"`
	Qualifier         string `json:"qualifier"`
	UpdateRuntimeOn   string `json:"on"`
	RuntimeVersionArn string `json:"runtimeVersion,omitempty"`
}

// LambdaRuntimeConfigs of a function are keyed by qualifier ("$LATEST" for none).
func LambdaRuntimeConfigs(tx *Tx, function string) Table[LambdaRuntimeRecord] {
	return lambdaFnTable[LambdaRuntimeRecord](tx, function, "runtime")
}
