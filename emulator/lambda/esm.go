package lambda

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// Event source mappings (Lambda API Reference: CreateEventSourceMapping,
// GetEventSourceMapping, UpdateEventSourceMapping, DeleteEventSourceMapping,
// ListEventSourceMappings). iamlocal does not poll SQS, Kinesis, DynamoDB Streams, Amazon MSK,
// Amazon MQ, DocumentDB or Kafka: a mapping is validated, stored and reported as Lambda
// reports it (State "Creating" in the answer to Create, then "Enabled" or "Disabled";
// "Updating" and "Deleting" in the answers to Update and Delete), and no records are ever
// delivered to the function.
//
// Texts as recorded against AWS (conformance/errors, TestLambdaEventSourceMappings):
// "Function does not exist", "Unrecognized event source.", the null startingPosition
// validation text, "Unsupported starting position for arn type: <arn>", "Unsupported
// DestinationConfig parameter for given event source mapping type.", "Required
// 'sourceAccessConfigurations' parameter is missing." and the Kafka duplicate text.

// esmSettings are the nested settings Lambda stores and reports back as given.
type esmSettings struct {
	FilterCriteria                      *lambdaapi.FilterCriteria                      `json:",omitempty"`
	DestinationConfig                   *lambdaapi.DestinationConfig                   `json:",omitempty"`
	SourceAccessConfigurations          []lambdaapi.SourceAccessConfiguration          `json:",omitempty"`
	SelfManagedEventSource              *lambdaapi.SelfManagedEventSource              `json:",omitempty"`
	AmazonManagedKafkaEventSourceConfig *lambdaapi.AmazonManagedKafkaEventSourceConfig `json:",omitempty"`
	SelfManagedKafkaEventSourceConfig   *lambdaapi.SelfManagedKafkaEventSourceConfig   `json:",omitempty"`
	DocumentDBEventSourceConfig         *lambdaapi.DocumentDBEventSourceConfig         `json:",omitempty"`
	ScalingConfig                       *lambdaapi.ScalingConfig                       `json:",omitempty"`
	LoggingConfig                       *lambdaapi.EventSourceMappingLoggingConfig     `json:",omitempty"`
	MetricsConfig                       *lambdaapi.EventSourceMappingMetricsConfig     `json:",omitempty"`
	ProvisionedPollerConfig             *lambdaapi.ProvisionedPollerConfig             `json:",omitempty"`
}

const (
	esmSQS       = "sqs"
	esmKinesis   = "kinesis"
	esmDynamoDB  = "dynamodb"
	esmMSK       = "kafka"
	esmMQ        = "mq"
	esmDocDB     = "docdb"
	esmSelfKafka = "selfkafka"

	msgNoESM = msgNoResource
)

// esmKind classifies an event source by its ARN (or a self-managed Kafka cluster).
func esmKind(text string, self *lambdaapi.SelfManagedEventSource) (string, error) {
	if text == "" {
		if self != nil && len(self.Endpoints) > 0 {
			return esmSelfKafka, nil
		}
		return "", invalid("Unrecognized event source.")
	}
	source, err := arn.Parse(text)
	if err != nil {
		return "", invalid("Unrecognized event source.")
	}
	switch res := source.Resource; source.Service {
	case "sqs":
		return esmSQS, nil
	case "kinesis":
		if strings.HasPrefix(res, "stream/") {
			return esmKinesis, nil
		}
	case "dynamodb":
		if strings.Contains(res, "/stream/") {
			return esmDynamoDB, nil
		}
	case "kafka":
		return esmMSK, nil
	case "mq":
		return esmMQ, nil
	case "rds":
		if strings.HasPrefix(res, "cluster:") {
			return esmDocDB, nil
		}
	}
	return "", invalid("Unrecognized event source.")
}

func isStream(kind string) bool { return kind == esmKinesis || kind == esmDynamoDB }

// needsStart: "Required for Amazon Kinesis, Amazon DynamoDB, and Amazon MSK stream sources"
// (and self-managed Kafka and DocumentDB).
func needsStart(kind string) bool {
	return isStream(kind) || kind == esmMSK || kind == esmSelfKafka || kind == esmDocDB
}

// defaultBatch is Lambda's documented BatchSize default per source: 10 for SQS, 100 for the
// others (Kinesis, DynamoDB Streams, MSK, self-managed Kafka, MQ, DocumentDB).
func defaultBatch(kind string) int32 {
	if kind == esmSQS {
		return 10
	}
	return 100
}

func esmARN(c call, uuid string) string { return c.scope().EventSourceMapping(uuid).String() }

// esmFunction resolves the function a mapping invokes; a missing function or qualifier is
// "Function does not exist" (InvalidParameterValueException, recorded).
func esmFunction(tx *storage.Tx, c call, name string) (target, error) {
	t, err := c.resolve(name, nil)
	if err != nil {
		return t, err
	}
	if t.account != c.account {
		return t, invalid("Function does not exist")
	}
	q := t.qualifier
	if q == "" {
		q = latest
	}
	if !qualifierExists(tx, t, q) {
		return t, invalid("Function does not exist")
	}
	return t, nil
}

func (s *Service) esmOut(c call, r storage.LambdaESMRecord, state string) *lambdaapi.EventSourceMappingConfiguration {
	t := c.function(r.Function, r.Qualifier)
	out := &lambdaapi.EventSourceMappingConfiguration{
		UUID: ptr(r.UUID), EventSourceMappingArn: ptr(esmARN(c, r.UUID)), FunctionArn: ptr(t.qualifiedARN()),
		BatchSize: ptr(r.BatchSize), MaximumBatchingWindowInSeconds: ptr(r.BatchWindow),
		LastModified: ptr(r.LastModified), State: ptr(state), StateTransitionReason: ptr("USER_INITIATED"),
		FunctionResponseTypes: append([]string{}, r.ResponseTypes...), Topics: r.Topics, Queues: r.Queues,
		StartingPositionTimestamp: r.StartingTimestamp,
	}
	if state == "" {
		out.State = ptr("Disabled")
		if r.Enabled {
			out.State = ptr("Enabled")
		}
	}
	if r.EventSourceArn != "" {
		out.EventSourceArn = ptr(r.EventSourceArn)
	}
	if r.StartingPosition != "" {
		out.StartingPosition = ptr(r.StartingPosition)
	}
	if r.KMSKeyArn != "" {
		out.KMSKeyArn = ptr(r.KMSKeyArn)
	}
	if isStream(r.Kind) {
		out.ParallelizationFactor = ptr(orZero(r.Parallelization))
		out.MaximumRecordAgeInSeconds = ptr(int32(-1))
		if r.MaxRecordAge != nil {
			out.MaximumRecordAgeInSeconds = r.MaxRecordAge
		}
		out.MaximumRetryAttempts = ptr(int32(-1))
		if r.MaxRetries != nil {
			out.MaximumRetryAttempts = r.MaxRetries
		}
		out.BisectBatchOnFunctionError = ptr(orZero(r.Bisect))
		out.TumblingWindowInSeconds = ptr(orZero(r.TumblingWindow))
		out.LastProcessingResult = ptr("No records processed")
		out.DestinationConfig = &lambdaapi.DestinationConfig{OnFailure: &lambdaapi.OnFailure{}}
	}
	var set esmSettings
	if len(r.Settings) > 0 && json.Unmarshal(r.Settings, &set) == nil {
		out.FilterCriteria = set.FilterCriteria
		if set.DestinationConfig != nil {
			out.DestinationConfig = set.DestinationConfig
		}
		out.SourceAccessConfigurations = set.SourceAccessConfigurations
		out.SelfManagedEventSource = set.SelfManagedEventSource
		out.AmazonManagedKafkaEventSourceConfig = set.AmazonManagedKafkaEventSourceConfig
		out.SelfManagedKafkaEventSourceConfig = set.SelfManagedKafkaEventSourceConfig
		out.DocumentDBEventSourceConfig = set.DocumentDBEventSourceConfig
		out.ScalingConfig = set.ScalingConfig
		out.LoggingConfig = set.LoggingConfig
		out.MetricsConfig = set.MetricsConfig
		out.ProvisionedPollerConfig = set.ProvisionedPollerConfig
	}
	return out
}

func orZero[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func setString(list []string) string { return strings.Join(list, ",") }

// CreateEventSourceMapping validates and stores a mapping; nothing is polled.
func (s *Service) CreateEventSourceMapping(ctx context.Context, in *lambdaapi.CreateEventSourceMappingRequest) (*lambdaapi.EventSourceMappingConfiguration, error) {
	c := s.call(ctx)
	source := str(in.EventSourceArn)
	kind, err := esmKind(source, in.SelfManagedEventSource)
	if err != nil {
		return nil, err
	}
	start := str(in.StartingPosition)
	switch {
	case needsStart(kind) && start == "":
		return nil, invalid("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.")
	case start != "" && !needsStart(kind), start == "AT_TIMESTAMP" && kind == esmDynamoDB:
		return nil, invalid("Unsupported starting position for arn type: %s", source)
	}
	if in.DestinationConfig != nil && (kind == esmSQS || kind == esmMQ) {
		return nil, invalid("Unsupported DestinationConfig parameter for given event source mapping type.")
	}
	if (kind == esmSelfKafka || kind == esmMQ) && len(in.SourceAccessConfigurations) == 0 {
		return nil, invalid("Required 'sourceAccessConfigurations' parameter is missing.")
	}
	rec := storage.LambdaESMRecord{V: 1, UUID: s.ids.UUID(), Kind: kind, EventSourceArn: source,
		Enabled: in.Enabled == nil || *in.Enabled, BatchSize: defaultBatch(kind), BatchWindow: orZero(in.MaximumBatchingWindowInSeconds),
		StartingPosition: start, Parallelization: in.ParallelizationFactor, MaxRecordAge: in.MaximumRecordAgeInSeconds,
		MaxRetries: in.MaximumRetryAttempts, Bisect: in.BisectBatchOnFunctionError, TumblingWindow: in.TumblingWindowInSeconds,
		ResponseTypes: in.FunctionResponseTypes, Topics: in.Topics, Queues: in.Queues, KMSKeyArn: str(in.KMSKeyArn),
		Tags: copyTags(in.Tags), Created: c.now, LastModified: c.now}
	if in.BatchSize != nil {
		rec.BatchSize = *in.BatchSize
	}
	if isStream(rec.Kind) && rec.Parallelization == nil {
		rec.Parallelization = ptr(int32(1))
	}
	if start == "AT_TIMESTAMP" {
		ts := orZero(in.StartingPositionTimestamp).UTC()
		rec.StartingTimestamp = &ts
	}
	settings, err := json.Marshal(esmSettings{FilterCriteria: in.FilterCriteria, DestinationConfig: in.DestinationConfig,
		SourceAccessConfigurations: in.SourceAccessConfigurations, SelfManagedEventSource: in.SelfManagedEventSource,
		AmazonManagedKafkaEventSourceConfig: in.AmazonManagedKafkaEventSourceConfig, SelfManagedKafkaEventSourceConfig: in.SelfManagedKafkaEventSourceConfig,
		DocumentDBEventSourceConfig: in.DocumentDBEventSourceConfig, ScalingConfig: in.ScalingConfig, LoggingConfig: in.LoggingConfig,
		MetricsConfig: in.MetricsConfig, ProvisionedPollerConfig: in.ProvisionedPollerConfig})
	if err != nil {
		return nil, err
	}
	rec.Settings = settings
	err = s.update(c.scope(), func(tx *storage.Tx) error {
		t, err := esmFunction(tx, c, str(in.FunctionName))
		if err != nil {
			return err
		}
		rec.Function, rec.Qualifier = t.name, t.qualifier
		err = storage.LambdaESMs(tx).Scan("", func(_ string, o storage.LambdaESMRecord) error {
			if o.Function != t.name || o.Qualifier != t.qualifier {
				return nil
			}
			switch {
			case kind == esmSelfKafka && o.Kind == esmSelfKafka:
				servers := in.SelfManagedEventSource.Endpoints["KAFKA_BOOTSTRAP_SERVERS"]
				var prev []string
				if p, ok := esmSettingsOf(o); ok && p.SelfManagedEventSource != nil {
					prev = p.SelfManagedEventSource.Endpoints["KAFKA_BOOTSTRAP_SERVERS"]
				}
				if setString(servers) == setString(prev) && setString(in.Topics) == setString(o.Topics) {
					return lambdaapi.ErrResourceConflict("An event source mapping with event source (\"%s\"), function (\"%s\"), topics (\"%s\") already exists. Please update or delete the existing mapping with UUID %s",
						setString(servers), t.qualifiedARN(), setString(in.Topics), o.UUID)
				}
			case source != "" && o.EventSourceArn == source && kind == esmSQS:
				return lambdaapi.ErrResourceConflict("An event source mapping with SQS arn (\" %s \") and function (\" %s \") already exists. Please update or delete the existing mapping with UUID %s", source, t.name, o.UUID)
			case source != "" && o.EventSourceArn == source && (kind != esmMSK || setString(in.Topics) == setString(o.Topics)):
				return lambdaapi.ErrResourceConflict("The event source arn (\" %s \") and function (\" %s \") provided mapping already exists. Please update or delete the existing mapping with UUID %s", source, t.name, o.UUID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return storage.LambdaESMs(tx).Insert(rec.UUID, rec)
	})
	if err != nil {
		return nil, err
	}
	return s.esmOut(c, rec, "Creating"), nil
}

func esmSettingsOf(r storage.LambdaESMRecord) (esmSettings, bool) {
	var set esmSettings
	if len(r.Settings) == 0 {
		return set, false
	}
	return set, json.Unmarshal(r.Settings, &set) == nil
}

func loadESM(tx *storage.Tx, uuid string) (storage.LambdaESMRecord, error) {
	r, err := storage.LambdaESMs(tx).Get(uuid)
	if isNotFound(err) {
		return r, lambdaapi.ErrResourceNotFound(msgNoESM)
	}
	return r, err
}

// GetEventSourceMapping reports a mapping; its State is Enabled or Disabled.
func (s *Service) GetEventSourceMapping(ctx context.Context, in *lambdaapi.GetEventSourceMappingRequest) (*lambdaapi.EventSourceMappingConfiguration, error) {
	c := s.call(ctx)
	var out *lambdaapi.EventSourceMappingConfiguration
	err := s.view(c.scope(), func(tx *storage.Tx) error {
		r, err := loadESM(tx, str(in.UUID))
		if err == nil {
			out = s.esmOut(c, r, "")
		}
		return err
	})
	return out, err
}

// UpdateEventSourceMapping changes the given settings; the answer's State is "Updating".
func (s *Service) UpdateEventSourceMapping(ctx context.Context, in *lambdaapi.UpdateEventSourceMappingRequest) (*lambdaapi.EventSourceMappingConfiguration, error) {
	c := s.call(ctx)
	var out *lambdaapi.EventSourceMappingConfiguration
	err := s.update(c.scope(), func(tx *storage.Tx) error {
		r, err := loadESM(tx, str(in.UUID))
		if err != nil {
			return err
		}
		if in.DestinationConfig != nil && (r.Kind == esmSQS || r.Kind == esmMQ) {
			return invalid("Unsupported DestinationConfig parameter for given event source mapping type.")
		}
		if in.FunctionName != nil {
			t, err := esmFunction(tx, c, *in.FunctionName)
			if err != nil {
				return err
			}
			r.Function, r.Qualifier = t.name, t.qualifier
		}
		if in.Enabled != nil {
			r.Enabled = *in.Enabled
		}
		if in.BatchSize != nil {
			r.BatchSize = *in.BatchSize
		}
		if in.MaximumBatchingWindowInSeconds != nil {
			r.BatchWindow = *in.MaximumBatchingWindowInSeconds
		}
		for _, p := range []struct {
			dst **int32
			src *int32
		}{{&r.Parallelization, in.ParallelizationFactor},
			{&r.MaxRecordAge, in.MaximumRecordAgeInSeconds}, {&r.MaxRetries, in.MaximumRetryAttempts}, {&r.TumblingWindow, in.TumblingWindowInSeconds}} {
			if p.src != nil {
				*p.dst = p.src
			}
		}
		if in.BisectBatchOnFunctionError != nil {
			r.Bisect = in.BisectBatchOnFunctionError
		}
		if in.FunctionResponseTypes != nil {
			r.ResponseTypes = in.FunctionResponseTypes
		}
		if in.KMSKeyArn != nil {
			r.KMSKeyArn = *in.KMSKeyArn
		}
		set, _ := esmSettingsOf(r)
		replaceIfSet(&set.FilterCriteria, in.FilterCriteria)
		replaceIfSet(&set.DestinationConfig, in.DestinationConfig)
		if in.SourceAccessConfigurations != nil {
			set.SourceAccessConfigurations = in.SourceAccessConfigurations
		}
		replaceIfSet(&set.AmazonManagedKafkaEventSourceConfig, in.AmazonManagedKafkaEventSourceConfig)
		replaceIfSet(&set.SelfManagedKafkaEventSourceConfig, in.SelfManagedKafkaEventSourceConfig)
		replaceIfSet(&set.DocumentDBEventSourceConfig, in.DocumentDBEventSourceConfig)
		replaceIfSet(&set.ScalingConfig, in.ScalingConfig)
		replaceIfSet(&set.LoggingConfig, in.LoggingConfig)
		replaceIfSet(&set.MetricsConfig, in.MetricsConfig)
		replaceIfSet(&set.ProvisionedPollerConfig, in.ProvisionedPollerConfig)
		if r.Settings, err = json.Marshal(set); err != nil {
			return err
		}
		r.LastModified = c.now
		if err := storage.LambdaESMs(tx).Put(r.UUID, r); err != nil {
			return err
		}
		out = s.esmOut(c, r, "Updating")
		return nil
	})
	return out, err
}

// DeleteEventSourceMapping removes a mapping; the answer's State is "Deleting".
func (s *Service) DeleteEventSourceMapping(ctx context.Context, in *lambdaapi.DeleteEventSourceMappingRequest) (*lambdaapi.EventSourceMappingConfiguration, error) {
	c := s.call(ctx)
	var out *lambdaapi.EventSourceMappingConfiguration
	err := s.update(c.scope(), func(tx *storage.Tx) error {
		r, err := loadESM(tx, str(in.UUID))
		if err != nil {
			return err
		}
		out = s.esmOut(c, r, "Deleting")
		return storage.LambdaESMs(tx).Delete(r.UUID)
	})
	return out, err
}

// ListEventSourceMappings lists mappings in creation order, optionally those of one event
// source and/or one function (a qualified name matches that qualifier only).
func (s *Service) ListEventSourceMappings(ctx context.Context, in *lambdaapi.ListEventSourceMappingsRequest) (*lambdaapi.ListEventSourceMappingsResponse, error) {
	c := s.call(ctx)
	var fn *target
	if in.FunctionName != nil {
		t, err := c.resolve(*in.FunctionName, nil)
		if err != nil {
			return nil, err
		}
		fn = &t
	}
	out := &lambdaapi.ListEventSourceMappingsResponse{}
	err := s.view(c.scope(), func(tx *storage.Tx) error {
		var items []pageItem[lambdaapi.EventSourceMappingConfiguration]
		err := storage.LambdaESMs(tx).Scan("", func(_ string, r storage.LambdaESMRecord) error {
			if in.EventSourceArn != nil && *in.EventSourceArn != r.EventSourceArn {
				return nil
			}
			if fn != nil && (fn.name != r.Function || fn.qualifier != "" && fn.qualifier != r.Qualifier) {
				return nil
			}
			items = append(items, pageItem[lambdaapi.EventSourceMappingConfiguration]{
				key: r.Created.Format(time.RFC3339Nano) + "\x00" + r.UUID, item: *s.esmOut(c, r, "")})
			return nil
		})
		sort.SliceStable(items, func(i, j int) bool { return items[i].key < items[j].key })
		out.EventSourceMappings, out.NextMarker = paginate(items, in.Marker, in.MaxItems)
		return err
	})
	return out, err
}

// replaceIfSet overwrites *dst with src when the update request carries that member.
func replaceIfSet[T any](dst **T, src *T) {
	if src != nil {
		*dst = src
	}
}
