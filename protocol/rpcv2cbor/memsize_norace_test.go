//go:build !race

package rpcv2cbor

// memoryTestSize is the body TestDecodeMemoryBounded decodes: 60 MB, a Lambda code upload's
// scale (6 MB under the race detector, memsize_race_test.go).
const memoryTestSize = 60 << 20
