package jsonshape_test

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol/jsonshape"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// bigBody is a request body of about size bytes that is one long array, with the shape and
// target it decodes into.
type bigBody struct {
	name   string
	shape  *model.Shape
	target func() any
	body   func(size int) []byte
}

var bigBodies = []bigBody{
	{"PutLogEvents events", logsapi.Model().Operations["PutLogEvents"].Input, func() any { return new(logsapi.PutLogEventsRequest) },
		func(size int) []byte {
			var b bytes.Buffer
			b.WriteString(`{"logGroupName":"g","logStreamName":"s","logEvents":[`)
			event := `{"timestamp":1700000000000,"message":"` + strings.Repeat("log line ", 10) + `"}`
			for b.Len() < size {
				b.WriteString(event)
				b.WriteByte(',')
			}
			b.WriteString(event + `]}`)
			return b.Bytes()
		}},
	{"PutMetricData values", cloudwatchapi.Model().Operations["PutMetricData"].Input, func() any { return new(cloudwatchapi.PutMetricDataInput) },
		func(size int) []byte {
			var b bytes.Buffer
			b.WriteString(`{"Namespace":"App","MetricData":[{"MetricName":"Latency","Values":[`)
			for i := 0; b.Len() < size; i++ {
				fmt.Fprintf(&b, "%d.5,", i%1000)
			}
			b.WriteString(`1]}]}`)
			return b.Bytes()
		}},
	{"PutMetricData datums", cloudwatchapi.Model().Operations["PutMetricData"].Input, func() any { return new(cloudwatchapi.PutMetricDataInput) },
		func(size int) []byte {
			var b bytes.Buffer
			b.WriteString(`{"Namespace":"App","MetricData":[`)
			datum := `{"MetricName":"Latency","Value":1.5,"Unit":"Milliseconds","Dimensions":[{"Name":"Host","Value":"web-1"}]}`
			for b.Len() < size {
				b.WriteString(datum)
				b.WriteByte(',')
			}
			b.WriteString(datum + `]}`)
			return b.Bytes()
		}},
}

// The streaming decoder allocates a small multiple of the body it decodes, 60 MB arrays
// included (memoryTestSize): the tree it replaced took 34 to 60 times the body. Not parallel:
// allocation is counted process-wide.
func TestUnmarshalMemoryBounded(t *testing.T) {
	const size, bound = memoryTestSize, 6.0
	for _, bb := range bigBodies {
		body := bb.body(size)
		allocated := allocatedBy(func() {
			if err := jsonshape.Unmarshal(bb.shape, body, bb.target()); err != nil {
				t.Fatalf("%s: %v", bb.name, err)
			}
		})
		ratio := float64(allocated) / float64(len(body))
		t.Logf("%s: %d MB body, %.2fx allocated", bb.name, len(body)>>20, ratio)
		if ratio > bound {
			t.Errorf("%s: allocated %.1fx the body, want under %.0fx", bb.name, ratio, bound)
		}
	}
}

// allocatedBy is the bytes allocated while f runs.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// go test -bench Unmarshal -benchmem ./protocol/jsonshape: B/op against the body's size
// (SetBytes), for the streaming decoder and the tree decoder it replaced.
func BenchmarkUnmarshal(b *testing.B) {
	for _, bb := range bigBodies {
		body := bb.body(60 << 20)
		for _, dec := range []struct {
			name      string
			unmarshal func(*model.Shape, []byte, any) error
		}{{"streaming", jsonshape.Unmarshal}, {"tree", referenceUnmarshal}} {
			b.Run(bb.name+"/"+dec.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				for i := 0; i < b.N; i++ {
					if err := dec.unmarshal(bb.shape, body, bb.target()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
