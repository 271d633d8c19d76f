//go:build race

package jsonshape_test

// memoryTestSize is the body TestUnmarshalMemoryBounded decodes. The race detector slows
// reflection about twentyfold, so under it the bodies are 6 MB: what is measured is a ratio to
// the body, the same at any size. BenchmarkUnmarshal always decodes 60 MB.
const memoryTestSize = 6 << 20
