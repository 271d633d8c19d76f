package awsquery_test

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/internal/querytestapi"
	"github.com/iamlocal/iamlocal/protocol/awsquery"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// TestGeneratedEncodersMatchReflection holds every generated AppendQueryXML of IAM, STS and
// CloudWatch to the reflective encoder, byte for byte, on pseudo-random outputs: absent and
// present optionals, empty and full lists and maps, text that needs escaping or replacing,
// sub-second times in other zones, float32 and float64 fractions, blobs. The synthetic
// querytest model adds the shapes those models' outputs lack (flattened and renamed lists,
// nested lists and maps, floats, recursion).
func TestGeneratedEncodersMatchReflection(t *testing.T) {
	t.Parallel()
	services := []struct {
		svc     *model.Service
		handler reflect.Type
		seeds   uint64 // random outputs per operation
	}{
		{iamapi.Model(), reflect.TypeFor[iamapi.Handler](), 24},
		{stsapi.Model(), reflect.TypeFor[stsapi.Handler](), 24},
		{cloudwatchapi.Model(), reflect.TypeFor[cloudwatchapi.Handler](), 24},
		// Its deep shapes are often cut short by an absent member: many more tries.
		{querytestapi.Model(), reflect.TypeFor[querytestapi.Handler](), 400},
	}
	for _, s := range services {
		t.Run(s.svc.Name, func(t *testing.T) {
			t.Parallel()
			for _, name := range s.svc.OpNames {
				op := s.svc.Operations[name]
				if op.Output == nil {
					continue
				}
				m, _ := s.handler.MethodByName(name)
				typ := m.Type.Out(0).Elem()
				if _, ok := reflect.New(typ).Interface().(awsquery.QueryXMLAppender); !ok {
					t.Errorf("%s: %s has no generated AppendQueryXML", name, typ)
					continue
				}
				sameBytes(t, s.svc, op, reflect.Zero(reflect.PointerTo(typ)).Interface(), "nil output")
				h := fnv.New64a()
				h.Write([]byte(name))
				for seed := range s.seeds {
					r := rand.New(rand.NewPCG(seed, h.Sum64()))
					out := reflect.New(typ)
					randomValue(r, out.Elem(), 0)
					sameBytes(t, s.svc, op, out.Interface(), fmt.Sprintf("seed %d", seed))
				}
			}
		})
	}
}

func sameBytes(t *testing.T, svc *model.Service, op *model.Operation, out any, label string) {
	t.Helper()
	var generated, reflective bytes.Buffer
	awsquery.AppendResult(&generated, svc, op, out, requestID)
	awsquery.AppendResultReflect(&reflective, svc, op, out, requestID)
	if !bytes.Equal(generated.Bytes(), reflective.Bytes()) {
		t.Errorf("%s (%s): generated encoder differs from reflection\n%s", op.Name, label,
			firstDifference(generated.String(), reflective.String()))
	}
}

// firstDifference is the first line where got and want part, with the lines before it.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d\n--- generated ---\n%s\n--- reflective ---\n%s",
				i+1, strings.Join(g[max(0, i-3):i+1], "\n"), strings.Join(w[max(0, i-3):i+1], "\n"))
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(g), len(w))
}

var (
	sampleStrings = []string{"", "plain", "a&<b>\r", `quotes ' and "`, "tab\tnew\nline", "ctl\x01", "bad\xffutf8", "ünïcødé ☃"}
	sampleFloats  = []float64{0, 0.1, -2.5, 1.0 / 3, 1e21, 1e-7, 123456789.125, math.MaxFloat32, math.Inf(-1), math.NaN()}
	sampleZone    = time.FixedZone("CEST", 2*3600)
)

// randomValue sets v, by its Go type, to a pseudo-random value from r; past a small depth
// optionals stay nil so recursive shapes end.
func randomValue(r *rand.Rand, v reflect.Value, depth int) {
	absent := depth > 6 || r.IntN(4) == 0
	switch v.Kind() {
	case reflect.Pointer:
		if !absent {
			v.Set(reflect.New(v.Type().Elem()))
			randomValue(r, v.Elem(), depth+1)
		}
	case reflect.Struct:
		if t, ok := v.Addr().Interface().(*time.Time); ok {
			*t = time.Unix(r.Int64N(4e9), r.Int64N(1e9)).In(sampleZone)
			return
		}
		for i := range v.NumField() {
			randomValue(r, v.Field(i), depth)
		}
	case reflect.Slice:
		if absent {
			return
		}
		n := r.IntN(4) // 0: empty, not absent
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, n*5)
			for i := range b {
				b[i] = byte(r.UintN(256))
			}
			v.SetBytes(b)
			return
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			randomValue(r, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if absent {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range r.IntN(4) {
			e := reflect.New(v.Type().Elem()).Elem()
			randomValue(r, e, depth+1)
			m.SetMapIndex(reflect.ValueOf(sampleStrings[r.IntN(len(sampleStrings))]), e)
		}
		v.Set(m)
	case reflect.String:
		v.SetString(sampleStrings[r.IntN(len(sampleStrings))])
	case reflect.Int32, reflect.Int64:
		x := []int64{0, -1, 7, math.MaxInt32, math.MinInt32, r.Int64()}[r.IntN(6)]
		if v.Type().Bits() == 32 {
			x = int64(int32(x))
		}
		v.SetInt(x)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(sampleFloats[r.IntN(len(sampleFloats))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	default:
		panic("no random value for " + v.Type().String())
	}
}
