package awsjson

import (
	"bytes"
	"testing"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/jsonshape"
)

// FuzzJSONRPC drives a target header and a body through the JSON protocol: the target either
// names an operation or is refused, decoding never panics and fails only with
// SerializationException, and an accepted input re-encodes to a fixed point.
func FuzzJSONRPC(f *testing.F) {
	f.Add("Logs_20140328.PutLogEvents", []byte(`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"m"}]}`))
	f.Add("Logs_20140328.FilterLogEvents", []byte(`{"logGroupName":"g","filterPattern":"ERROR","limit":10}`))
	f.Add("Logs_20140328.CreateLogGroup", []byte(`{"logGroupName":"g","tags":{"a":"b"}}`))
	f.Add("Logs_20140328.", []byte(`{}`))
	c := &Codec{Service: logsapi.Model()}
	ops := map[string]protocol.Operation{}
	for _, op := range logsapi.Operations(logsapi.Unimplemented{}) {
		ops[op.Name()] = op
	}
	f.Fuzz(func(t *testing.T, target string, body []byte) {
		name, ok := c.Operation(target)
		if !ok {
			return
		}
		bound, ok := ops[name]
		if !ok || bound.Model.Input == nil {
			return
		}
		op := bound.Model
		in := bound.NewInput()
		if err := c.Decode(op, body, in); err != nil {
			if e, ok := awserr.As(err); !ok || e.Code != "SerializationException" {
				t.Fatalf("error %v", err)
			}
			return
		}
		once := jsonshape.Marshal(op.Input, in)
		again := bound.NewInput()
		if err := c.Decode(op, once, again); err != nil {
			t.Fatalf("re-decode %s: %v", once, err)
		}
		if twice := jsonshape.Marshal(op.Input, again); !bytes.Equal(once, twice) {
			t.Fatalf("not stable:\n%s\n%s", once, twice)
		}
	})
}
