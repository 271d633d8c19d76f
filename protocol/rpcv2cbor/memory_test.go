package rpcv2cbor

import (
	"runtime"
	"testing"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// bigPutMetricData is a PutMetricData body of about size bytes that is one long array: of
// values (9 bytes each) or of datums.
func bigPutMetricData(size int, datums bool) []byte {
	in := &cloudwatchapi.PutMetricDataInput{Namespace: protocol.Ptr("App")}
	if datums {
		d := cloudwatchapi.MetricDatum{MetricName: protocol.Ptr("Latency"), Value: protocol.Ptr(1.5), Unit: protocol.Ptr("Milliseconds"),
			Dimensions: []cloudwatchapi.Dimension{{Name: protocol.Ptr("Host"), Value: protocol.Ptr("web-1")}}}
		per := len(Marshal(cloudwatchapi.Model().Shapes["MetricDatum"], &d))
		in.MetricData = make([]cloudwatchapi.MetricDatum, size/per)
		for i := range in.MetricData {
			in.MetricData[i] = d
		}
	} else {
		values := make([]float64, size/9)
		for i := range values {
			values[i] = float64(i) + 0.5
		}
		in.MetricData = []cloudwatchapi.MetricDatum{{MetricName: protocol.Ptr("Latency"), Values: values}}
	}
	return Marshal(cloudwatchapi.Model().Operations["PutMetricData"].Input, in)
}

var bigBodies = []struct {
	name   string
	datums bool
}{{"values", false}, {"datums", true}}

// The streaming decoder allocates a small multiple of the body it decodes, 60 MB arrays
// included (memoryTestSize): the tree of items it replaced took 34 to 60 times the body. Not
// parallel: allocation is counted process-wide.
func TestDecodeMemoryBounded(t *testing.T) {
	const bound = 6.0
	c := codec()
	op := c.Service.Operations["PutMetricData"]
	for _, bb := range bigBodies {
		body := bigPutMetricData(memoryTestSize, bb.datums)
		allocated := allocatedBy(func() {
			if err := c.Decode(op, body, new(cloudwatchapi.PutMetricDataInput)); err != nil {
				t.Fatalf("%s: %v", bb.name, err)
			}
		})
		ratio := float64(allocated) / float64(len(body))
		t.Logf("PutMetricData %s: %d MB body, %.2fx allocated", bb.name, len(body)>>20, ratio)
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

// go test -bench Decode -benchmem ./protocol/rpcv2cbor: B/op against the body's size
// (SetBytes), for the streaming decoder and the tree decoder it replaced.
func BenchmarkDecode(b *testing.B) {
	c := codec()
	op := c.Service.Operations["PutMetricData"]
	for _, bb := range bigBodies {
		body := bigPutMetricData(60<<20, bb.datums)
		for _, dec := range []struct {
			name   string
			decode func([]byte, any) error
		}{
			{"streaming", func(body []byte, in any) error { return c.Decode(op, body, in) }},
			{"tree", func(body []byte, in any) error { return refDecode(c, op, body, in) }},
		} {
			b.Run(bb.name+"/"+dec.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				for i := 0; i < b.N; i++ {
					if err := dec.decode(body, new(cloudwatchapi.PutMetricDataInput)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
