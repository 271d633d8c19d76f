package rpcv2cbor

import (
	"encoding/binary"
	"math"
)

// encoder writes definite-length items in preferred (shortest) argument form.
//
// smithy-go's encoding/cbor encodes the same items, but its Map is a Go map written in iteration
// order: responses would lose the model's member order and the sorted map keys, and no longer be
// the same bytes from one run to the next.
type encoder struct{ b []byte }

func (e *encoder) head(major byte, n uint64) {
	m := major << 5
	switch {
	case n < 24:
		e.b = append(e.b, m|byte(n))
	case n <= math.MaxUint8:
		e.b = append(e.b, m|24, byte(n))
	case n <= math.MaxUint16:
		e.b = append(e.b, m|25)
		e.b = binary.BigEndian.AppendUint16(e.b, uint16(n))
	case n <= math.MaxUint32:
		e.b = append(e.b, m|26)
		e.b = binary.BigEndian.AppendUint32(e.b, uint32(n))
	default:
		e.b = append(e.b, m|27)
		e.b = binary.BigEndian.AppendUint64(e.b, n)
	}
}

func (e *encoder) int(v int64) {
	if v < 0 {
		e.head(majorNeg, uint64(-1-v))
		return
	}
	e.head(majorUint, uint64(v))
}

func (e *encoder) text(s string) {
	e.head(majorText, uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) bytes(p []byte) {
	e.head(majorBytes, uint64(len(p)))
	e.b = append(e.b, p...)
}

func (e *encoder) float64(f float64) {
	e.b = append(e.b, majorSimple<<5|27)
	e.b = binary.BigEndian.AppendUint64(e.b, math.Float64bits(f))
}

func (e *encoder) float32(f float32) {
	e.b = append(e.b, majorSimple<<5|26)
	e.b = binary.BigEndian.AppendUint32(e.b, math.Float32bits(f))
}

func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, majorSimple<<5|21)
		return
	}
	e.b = append(e.b, majorSimple<<5|20)
}
