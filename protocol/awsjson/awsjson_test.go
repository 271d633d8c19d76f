package awsjson

import (
	"net/http"
	"testing"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

func TestOperationAndContentType(t *testing.T) {
	t.Parallel()
	logs := &Codec{Service: logsapi.Model()}
	if op, ok := logs.Operation("Logs_20140328.DescribeLogGroups"); !ok || op != "DescribeLogGroups" {
		t.Fatal(op, ok)
	}
	for _, bad := range []string{"", "Logs_20140328", "Logs_20140328.", "GraniteServiceVersion20100801.ListMetrics"} {
		if _, ok := logs.Operation(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	if logs.ContentType() != "application/x-amz-json-1.1" {
		t.Error(logs.ContentType())
	}
	if cw := (&Codec{Service: cloudwatchapi.Model()}); cw.ContentType() != "application/x-amz-json-1.0" {
		t.Error(cw.ContentType())
	}
}

// Golden bytes of a Logs error as the service sends it and botocore parses it.
func TestEncodeErrorGolden(t *testing.T) {
	t.Parallel()
	c := &Codec{Service: logsapi.Model()}
	res := c.EncodeError(logsapi.ErrResourceNotFound("The specified log group does not exist."))
	want := `{"__type":"ResourceNotFoundException","message":"The specified log group does not exist."}`
	if string(res.Body) != want || res.Status != http.StatusBadRequest || res.Header.Get("x-amzn-query-error") != "" {
		t.Fatalf("%d %v %s", res.Status, res.Header, res.Body)
	}
	cw := &Codec{Service: cloudwatchapi.Model(), QueryCompatible: true}
	res = cw.EncodeError(cloudwatchapi.ErrResourceNotFound("no <dashboard> & more"))
	want = `{"__type":"ResourceNotFound","message":"no <dashboard> & more"}`
	if string(res.Body) != want || res.Status != http.StatusNotFound || res.Header.Get("x-amzn-query-error") != "ResourceNotFound;Sender" {
		t.Fatalf("%d %v %s", res.Status, res.Header, res.Body)
	}
	res = cw.EncodeError(cloudwatchapi.ErrInternalServiceError("boom"))
	want = `{"Message":"boom","__type":"InternalServiceFault"}`
	if string(res.Body) != want || res.Status != 500 || res.Header.Get("x-amzn-query-error") != "InternalServiceError;Receiver" {
		t.Fatalf("%d %v %s", res.Status, res.Header, res.Body)
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	c := &Codec{Service: logsapi.Model()}
	op := c.Service.Operations["PutLogEvents"]
	var in logsapi.PutLogEventsRequest
	err := c.Decode(op, []byte(`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1700000000000,"message":"hi"}],"extra":1}`), &in)
	if err != nil || protocol.Val(in.LogGroupName) != "g" || len(in.LogEvents) != 1 || protocol.Val(in.LogEvents[0].Timestamp) != 1700000000000 {
		t.Fatalf("%v %+v", err, in)
	}
	for _, body := range []string{`{"logGroupName":1}`, `[`, `"x"`, `{"logEvents":{}}`} {
		var in logsapi.PutLogEventsRequest
		err := c.Decode(op, []byte(body), &in)
		if e, ok := awserr.As(err); !ok || e.Code != "SerializationException" || e.Status != 400 {
			t.Errorf("%s: %v", body, err)
		}
	}
	if err := c.Decode(op, nil, &in); err != nil {
		t.Errorf("empty body: %v", err)
	}
}

func TestEncodeResult(t *testing.T) {
	t.Parallel()
	c := &Codec{Service: logsapi.Model()}
	out := &logsapi.DescribeLogGroupsResponse{LogGroups: []logsapi.LogGroup{{LogGroupName: protocol.Ptr("/aws/lambda/f"),
		CreationTime: protocol.Ptr(int64(1700000000000)), StoredBytes: protocol.Ptr(int64(0))}}}
	got := string(c.EncodeResult(c.Service.Operations["DescribeLogGroups"], out))
	want := `{"logGroups":[{"creationTime":1700000000000,"logGroupName":"/aws/lambda/f","storedBytes":0}]}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if got := string(c.EncodeResult(c.Service.Operations["DeleteLogGroup"], nil)); got != "{}" {
		t.Fatal(got)
	}
}
