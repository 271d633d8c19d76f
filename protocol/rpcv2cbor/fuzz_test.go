package rpcv2cbor

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// FuzzCBORDecode feeds arbitrary bodies to the decoder of the richest CloudWatch inputs. It must
// never panic, fail only with SerializationException, and what it accepts must re-encode to
// bytes that decode to the same bytes again.
func FuzzCBORDecode(f *testing.F) {
	seed, _ := hex.DecodeString(sdkGetMetricStatistics)
	f.Add(seed, uint8(0))
	f.Add([]byte{0xa1, 0x6a, 'M', 'e', 't', 'r', 'i', 'c', 'D', 'a', 't', 'a', 0x9f, 0xbf, 0xff, 0xff}, uint8(1))
	f.Add([]byte{0xbf, 0xff}, uint8(2))
	f.Add([]byte{0x9f, 0x9f, 0x9f, 0xff, 0xff, 0xff}, uint8(2))
	c := codec()
	ops := []string{"GetMetricStatistics", "PutMetricData", "GetMetricData", "PutMetricAlarm"}
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		op := c.Service.Operations[ops[int(which)%len(ops)]]
		in := newInput(op.Name)
		if err := c.Decode(op, body, in); err != nil {
			if e, ok := awserr.As(err); !ok || e.Code != "SerializationException" {
				t.Fatalf("error %v", err)
			}
			return
		}
		once := Marshal(op.Input, in)
		again := newInput(op.Name)
		if err := c.Decode(op, once, again); err != nil {
			t.Fatalf("re-decode of our own encoding: %v (%x)", err, once)
		}
		if twice := Marshal(op.Input, again); !bytes.Equal(once, twice) {
			t.Fatalf("not stable:\n%x\n%x", once, twice)
		}
	})
}

func newInput(op string) any {
	switch op {
	case "GetMetricStatistics":
		return new(cloudwatchapi.GetMetricStatisticsInput)
	case "PutMetricData":
		return new(cloudwatchapi.PutMetricDataInput)
	case "GetMetricData":
		return new(cloudwatchapi.GetMetricDataInput)
	}
	return new(cloudwatchapi.PutMetricAlarmInput)
}
