//go:build race

package rpcv2cbor

// memoryTestSize is the body TestDecodeMemoryBounded decodes. The race detector slows
// reflection about twentyfold, so under it the bodies are 6 MB: what is measured is a ratio to
// the body, the same at any size. BenchmarkDecode always decodes 60 MB.
const memoryTestSize = 6 << 20
