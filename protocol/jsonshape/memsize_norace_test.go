//go:build !race

package jsonshape_test

// memoryTestSize is the body TestUnmarshalMemoryBounded decodes: 60 MB, a Lambda code upload's
// scale (6 MB under the race detector, memsize_race_test.go).
const memoryTestSize = 60 << 20
