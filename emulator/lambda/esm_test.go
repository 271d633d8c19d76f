package lambda

import (
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
)

const (
	sqsARN     = "arn:aws:sqs:us-east-1:123456789012:queue1"
	kinesisARN = "arn:aws:kinesis:us-east-1:123456789012:stream/s1"
	ddbARN     = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000"
)

func TestCreateEventSourceMappingValidation(t *testing.T) {
	e := newEnv(t)
	e.create("f")
	cases := []struct {
		name string
		in   lambdaapi.CreateEventSourceMappingRequest
		code string
		msg  string
	}{
		{"no source", lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f")},
			"InvalidParameterValueException", "Unrecognized event source."},
		{"unknown service", lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f"), EventSourceArn: ptr("arn:aws:s3:::bucket1")},
			"InvalidParameterValueException", "Unrecognized event source."},
		{"missing function", lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("nope"), EventSourceArn: ptr(sqsARN)},
			"InvalidParameterValueException", "Function does not exist"},
		{"missing qualifier", lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f:nope"), EventSourceArn: ptr(sqsARN)},
			"InvalidParameterValueException", "Function does not exist"},
		{"kinesis without start", lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f"), EventSourceArn: ptr(kinesisARN)},
			"InvalidParameterValueException", "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null."},
		{"dynamodb at timestamp", lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f"), EventSourceArn: ptr(ddbARN), StartingPosition: ptr("AT_TIMESTAMP")},
			"InvalidParameterValueException", "Unsupported starting position for arn type: " + ddbARN},
		{"sqs destination", lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f"), EventSourceArn: ptr(sqsARN),
			DestinationConfig: &lambdaapi.DestinationConfig{OnFailure: &lambdaapi.OnFailure{Destination: ptr(sqsARN)}}},
			"InvalidParameterValueException", "Unsupported DestinationConfig parameter for given event source mapping type."},
		{"self-managed without access", lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f"), StartingPosition: ptr("LATEST"), Topics: []string{"topic"},
			SelfManagedEventSource: &lambdaapi.SelfManagedEventSource{Endpoints: map[string][]string{"KAFKA_BOOTSTRAP_SERVERS": {"kafka:1000"}}}},
			"InvalidParameterValueException", "Required 'sourceAccessConfigurations' parameter is missing."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			_, err := e.s.CreateEventSourceMapping(e.ctx, &in)
			wantErr(t, err, tc.code, tc.msg)
		})
	}
}

func TestEventSourceMappingLifecycle(t *testing.T) {
	e := newEnv(t)
	e.create("f")
	cases := []struct {
		name      string
		in        lambdaapi.CreateEventSourceMappingRequest
		batch     int32
		stream    bool
		wantState string
	}{
		{"sqs", lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f"), EventSourceArn: ptr(sqsARN)}, 10, false, "Enabled"},
		{"kinesis", lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr(fnARN + "f"), EventSourceArn: ptr(kinesisARN), StartingPosition: ptr("AT_TIMESTAMP"),
			StartingPositionTimestamp: ptr(testNow.Add(-time.Hour))}, 100, true, "Enabled"},
		{"dynamodb disabled", lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f"), EventSourceArn: ptr(ddbARN), StartingPosition: ptr("LATEST"),
			Enabled: ptr(false), BatchSize: ptr(int32(7))}, 7, true, "Disabled"},
		{"msk", lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f"), EventSourceArn: ptr("arn:aws:kafka:us-east-1:123456789012:cluster/c/abc"),
			StartingPosition: ptr("TRIM_HORIZON"), Topics: []string{"t"}}, 100, false, "Enabled"},
	}
	var uuids []string
	for _, tc := range cases {
		in := tc.in
		out, err := e.s.CreateEventSourceMapping(e.ctx, &in)
		ok(t, err)
		uuids = append(uuids, *out.UUID)
		if *out.State != "Creating" || *out.BatchSize != tc.batch || *out.FunctionArn != fnARN+"f" || *out.StateTransitionReason != "USER_INITIATED" ||
			*out.EventSourceMappingArn != "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:"+*out.UUID || !out.LastModified.Equal(testNow) {
			t.Fatalf("%s: create = %+v", tc.name, out)
		}
		if tc.stream != (out.ParallelizationFactor != nil) || tc.stream && (*out.MaximumRetryAttempts != -1 || *out.MaximumRecordAgeInSeconds != -1) {
			t.Fatalf("%s: stream settings = %+v", tc.name, out)
		}
		got, err := e.s.GetEventSourceMapping(e.ctx, &lambdaapi.GetEventSourceMappingRequest{UUID: out.UUID})
		ok(t, err)
		if *got.State != tc.wantState || *got.BatchSize != tc.batch {
			t.Fatalf("%s: get = %+v", tc.name, got)
		}
	}
	// Duplicates are refused with the mapping's UUID.
	_, err := e.s.CreateEventSourceMapping(e.ctx, &lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f"), EventSourceArn: ptr(kinesisARN), StartingPosition: ptr("LATEST")})
	wantErr(t, err, "ResourceConflictException", `The event source arn (" `+kinesisARN+` ") and function (" f ") provided mapping already exists. Please update or delete the existing mapping with UUID `+uuids[1])

	upd, err := e.s.UpdateEventSourceMapping(e.ctx, &lambdaapi.UpdateEventSourceMappingRequest{UUID: ptr(uuids[0]), Enabled: ptr(false), BatchSize: ptr(int32(5)),
		FilterCriteria: &lambdaapi.FilterCriteria{Filters: []lambdaapi.Filter{{Pattern: ptr(`{"a":["b"]}`)}}}})
	ok(t, err)
	if *upd.State != "Updating" || *upd.BatchSize != 5 {
		t.Fatalf("update = %+v", upd)
	}
	got, err := e.s.GetEventSourceMapping(e.ctx, &lambdaapi.GetEventSourceMappingRequest{UUID: ptr(uuids[0])})
	ok(t, err)
	if *got.State != "Disabled" || got.FilterCriteria == nil || *got.FilterCriteria.Filters[0].Pattern != `{"a":["b"]}` {
		t.Fatalf("get after update = %+v", got)
	}

	list, err := e.s.ListEventSourceMappings(e.ctx, &lambdaapi.ListEventSourceMappingsRequest{MaxItems: ptr(int32(3))})
	ok(t, err)
	if len(list.EventSourceMappings) != 3 || list.NextMarker == nil {
		t.Fatalf("list page 1 = %d, %v", len(list.EventSourceMappings), list.NextMarker)
	}
	next, err := e.s.ListEventSourceMappings(e.ctx, &lambdaapi.ListEventSourceMappingsRequest{Marker: list.NextMarker})
	ok(t, err)
	if len(next.EventSourceMappings) != 1 || next.NextMarker != nil {
		t.Fatalf("list page 2 = %+v", next)
	}
	bySource, err := e.s.ListEventSourceMappings(e.ctx, &lambdaapi.ListEventSourceMappingsRequest{EventSourceArn: ptr(sqsARN), FunctionName: ptr("f")})
	ok(t, err)
	if len(bySource.EventSourceMappings) != 1 || *bySource.EventSourceMappings[0].UUID != uuids[0] {
		t.Fatalf("list by source = %+v", bySource)
	}

	del, err := e.s.DeleteEventSourceMapping(e.ctx, &lambdaapi.DeleteEventSourceMappingRequest{UUID: ptr(uuids[0])})
	ok(t, err)
	if *del.State != "Deleting" {
		t.Fatalf("delete = %+v", del)
	}
	for _, op := range []func() error{
		func() error {
			_, err := e.s.GetEventSourceMapping(e.ctx, &lambdaapi.GetEventSourceMappingRequest{UUID: ptr(uuids[0])})
			return err
		},
		func() error {
			_, err := e.s.DeleteEventSourceMapping(e.ctx, &lambdaapi.DeleteEventSourceMappingRequest{UUID: ptr(uuids[0])})
			return err
		},
		func() error {
			_, err := e.s.UpdateEventSourceMapping(e.ctx, &lambdaapi.UpdateEventSourceMappingRequest{UUID: ptr(uuids[0])})
			return err
		},
	} {
		wantErr(t, op(), "ResourceNotFoundException", "The resource you requested does not exist.")
	}
}

func TestEventSourceMappingSelfManagedDuplicate(t *testing.T) {
	e := newEnv(t)
	e.create("f")
	in := func() *lambdaapi.CreateEventSourceMappingRequest {
		return &lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f"), StartingPosition: ptr("LATEST"), Topics: []string{"topic"},
			SelfManagedEventSource:     &lambdaapi.SelfManagedEventSource{Endpoints: map[string][]string{"KAFKA_BOOTSTRAP_SERVERS": {"kafka:1000"}}},
			SourceAccessConfigurations: []lambdaapi.SourceAccessConfiguration{{Type: ptr("BASIC_AUTH"), URI: ptr("arn:aws:secretsmanager:us-east-1:123456789012:secret:s")}}}
	}
	first, err := e.s.CreateEventSourceMapping(e.ctx, in())
	ok(t, err)
	if first.EventSourceArn != nil || first.SelfManagedEventSource == nil || *first.BatchSize != 100 {
		t.Fatalf("self-managed = %+v", first)
	}
	_, err = e.s.CreateEventSourceMapping(e.ctx, in())
	wantErr(t, err, "ResourceConflictException", `An event source mapping with event source ("kafka:1000"), function ("`+fnARN+`f"), topics ("topic") already exists. Please update or delete the existing mapping with UUID `+*first.UUID)
}
