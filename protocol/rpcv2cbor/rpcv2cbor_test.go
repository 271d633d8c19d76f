package rpcv2cbor

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	smithycbor "github.com/aws/smithy-go/encoding/cbor"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

func codec() *Codec {
	return &Codec{Service: cloudwatchapi.Model(), ServiceName: "GraniteServiceVersion20100801",
		Namespace: "com.amazonaws.cloudwatch", QueryCompatible: true}
}

// sdkGetMetricStatistics is the body aws-sdk-go-v2 (service/cloudwatch v1.75.7) sent for a
// GetMetricStatistics call, captured from the wire: indefinite-length maps and arrays, tag-1
// float64 timestamps.
const sdkGetMetricStatistics = "bf6a44696d656e73696f6e739fbf644e616d656c46756e6374696f6e4e616d656556616c75656166ffff67456e6454696d65c1fb40590000000000006a4d65747269634e616d656b496e766f636174696f6e73694e616d6573706163656a4157532f4c616d6264616650657269" +
	"6f64183c69537461727454696d65c1fb00000000000000006a537461746973746963739f6353756dffff"

func TestDecodeSDKRequest(t *testing.T) {
	t.Parallel()
	body, err := hex.DecodeString(sdkGetMetricStatistics)
	if err != nil {
		t.Fatal(err)
	}
	c := codec()
	op := c.Service.Operations["GetMetricStatistics"]
	var in cloudwatchapi.GetMetricStatisticsInput
	if err := c.Decode(op, body, &in); err != nil {
		t.Fatal(err)
	}
	if protocol.Val(in.Namespace) != "AWS/Lambda" || protocol.Val(in.MetricName) != "Invocations" || protocol.Val(in.Period) != 60 {
		t.Errorf("scalars: %+v", in)
	}
	if len(in.Dimensions) != 1 || protocol.Val(in.Dimensions[0].Name) != "FunctionName" || protocol.Val(in.Dimensions[0].Value) != "f" {
		t.Errorf("dimensions: %+v", in.Dimensions)
	}
	if !in.EndTime.Equal(time.Unix(100, 0)) || !in.StartTime.Equal(time.Unix(0, 0)) || len(in.Statistics) != 1 || in.Statistics[0] != "Sum" {
		t.Errorf("times and statistics: %v %v %v", in.StartTime, in.EndTime, in.Statistics)
	}
}

// The golden bytes of a result: definite lengths, members in model order, doubles as float64,
// timestamps as tag 1 around float64 seconds.
func TestEncodeResultGolden(t *testing.T) {
	t.Parallel()
	c := codec()
	out := &cloudwatchapi.GetMetricStatisticsOutput{Label: protocol.Ptr("Invocations"), Datapoints: []cloudwatchapi.Datapoint{{
		Sum: protocol.Ptr(3.0), Timestamp: protocol.Ptr(time.Unix(60, 0).UTC()), Unit: protocol.Ptr("Count")}}}
	got := c.EncodeResult(c.Service.Operations["GetMetricStatistics"], out)
	want := "a2" + // map(2)
		"6a" + hex.EncodeToString([]byte("Datapoints")) + "81" + "a3" +
		"63" + hex.EncodeToString([]byte("Sum")) + "fb4008000000000000" +
		"69" + hex.EncodeToString([]byte("Timestamp")) + "c1fb404e000000000000" +
		"64" + hex.EncodeToString([]byte("Unit")) + "65" + hex.EncodeToString([]byte("Count")) +
		"65" + hex.EncodeToString([]byte("Label")) + "6b" + hex.EncodeToString([]byte("Invocations"))
	if hex.EncodeToString(got) != want {
		t.Fatalf("got  %x\nwant %s", got, want)
	}
	// The reference decoder (smithy-go's, which the Go SDK uses) reads it back.
	v, err := smithycbor.Decode(got)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := v.(smithycbor.Map); !ok || m["Label"] != smithycbor.String("Invocations") {
		t.Fatalf("reference decode: %#v", v)
	}
}

func TestEncodeErrorGolden(t *testing.T) {
	t.Parallel()
	c := codec()
	res := c.EncodeError(cloudwatchapi.ErrInvalidParameterValue("bad"))
	if res.Status != http.StatusBadRequest || res.Header.Get("x-amzn-query-error") != "InvalidParameterValue;Sender" {
		t.Fatalf("status/header: %d %v", res.Status, res.Header)
	}
	want := "a2" + "66" + hex.EncodeToString([]byte("__type")) +
		"78" + "37" + hex.EncodeToString([]byte("com.amazonaws.cloudwatch#InvalidParameterValueException")) +
		"67" + hex.EncodeToString([]byte("message")) + "63" + hex.EncodeToString([]byte("bad"))
	if hex.EncodeToString(res.Body) != want {
		t.Fatalf("got  %x\nwant %s", res.Body, want)
	}
	// An unmodelled error (authentication, authorization) keeps its Query code in the header.
	res = c.EncodeError(awserr.New("AccessDenied", 403, true, "no"))
	if res.Header.Get("x-amzn-query-error") != "AccessDenied;Sender" || !bytes.Contains(res.Body, []byte("AccessDeniedException")) {
		t.Fatalf("unmodelled: %v %x", res.Header, res.Body)
	}
}

func TestRoundTripPutMetricData(t *testing.T) {
	t.Parallel()
	c := codec()
	op := c.Service.Operations["PutMetricData"]
	in := &cloudwatchapi.PutMetricDataInput{Namespace: protocol.Ptr("App"), MetricData: []cloudwatchapi.MetricDatum{{
		MetricName: protocol.Ptr("Latency"), Values: []float64{1.5, -2, math.MaxFloat64}, Counts: []float64{1, 2, 3},
		Timestamp: protocol.Ptr(time.UnixMilli(1700000000123).UTC()), StorageResolution: protocol.Ptr(int32(1)),
		Dimensions: []cloudwatchapi.Dimension{{Name: protocol.Ptr("Host"), Value: protocol.Ptr("a")}},
		StatisticValues: &cloudwatchapi.StatisticSet{Sum: protocol.Ptr(1.0), SampleCount: protocol.Ptr(1.0),
			Minimum: protocol.Ptr(1.0), Maximum: protocol.Ptr(1.0)}}}}
	raw := Marshal(op.Input, in)
	var back cloudwatchapi.PutMetricDataInput
	if err := c.Decode(op, raw, &back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(Marshal(op.Input, &back), raw) {
		t.Fatal("round trip changed the bytes")
	}
	if !back.MetricData[0].Timestamp.Equal(*in.MetricData[0].Timestamp) {
		t.Fatalf("timestamp %v", back.MetricData[0].Timestamp)
	}
}

func TestDecodeForms(t *testing.T) {
	t.Parallel()
	c := codec()
	op := c.Service.Operations["ListMetrics"]
	for _, tc := range []struct {
		name, hex string
		want      string // Namespace, "" for an error
		ok        bool
	}{
		{"definite", "a1694e616d65737061636563417070", "App", true},
		{"indefinite text chunks", "bf694e616d6573706163657f6241706170ffff", "App", true},
		{"null member", "a1694e616d657370616365f6", "", true},
		{"unknown key ignored", "a2636b6579f5694e616d65737061636563417070", "App", true},
		{"empty body", "", "", true},
		{"wrong type", "a1694e616d6573706163650a", "", false},
		{"integer key", "a10101", "", false},
		{"truncated", "a1694e616d657370", "", false},
		{"trailing bytes", "a000", "", false},
		{"huge array length", "9bffffffffffffffff", "", false},
		{"stray break", "ff", "", false},
		{"reserved info", "1c", "", false},
		{"invalid utf8", "a1694e616d6573706163656180", "", false},
	} {
		body, _ := hex.DecodeString(tc.hex)
		var in cloudwatchapi.ListMetricsInput
		err := c.Decode(op, body, &in)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
			continue
		}
		if err != nil {
			if e, ok := awserr.As(err); !ok || e.Code != "SerializationException" || e.Status != 400 {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if protocol.Val(in.Namespace) != tc.want {
			t.Errorf("%s: namespace %q", tc.name, protocol.Val(in.Namespace))
		}
	}
}

func TestHalfFloats(t *testing.T) {
	t.Parallel()
	for h, want := range map[string]float64{"f93c00": 1, "f9c400": -4, "f97bff": 65504, "f90001": 5.960464477539063e-8, "f97c00": math.Inf(1)} {
		raw, _ := hex.DecodeString(h)
		v, err := decodeNumber(raw)
		if err != nil || v.(float64) != want {
			t.Errorf("%s: %v %v", h, v, err)
		}
	}
}

// decodeNumber reads a body that is one number as the decoder reads a double member.
func decodeNumber(raw []byte) (any, error) {
	if err := wellFormed(raw); err != nil {
		return nil, err
	}
	c := cursor{p: raw}
	n, ok := c.number()
	if !ok {
		return nil, fmt.Errorf("%x is not a number", raw)
	}
	return n.asFloat(), nil
}

func TestParsePath(t *testing.T) {
	t.Parallel()
	if s, op, ok := ParsePath("/service/GraniteServiceVersion20100801/operation/ListMetrics"); !ok || s != "GraniteServiceVersion20100801" || op != "ListMetrics" {
		t.Fatal(s, op, ok)
	}
	for _, p := range []string{"/", "/service//operation/X", "/service/A/operation/", "/service/A/operation/B/C"} {
		if _, _, ok := ParsePath(p); ok {
			t.Errorf("%s parsed", p)
		}
	}
}
