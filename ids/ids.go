// Package ids makes the identifiers AWS hands out (request ids, AIDA.../AKIA... ids, secrets).
// The source is injected so that tests and golden files are deterministic.
package ids

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
	mrand "math/rand/v2"
	"sync"
)

// Source yields random bytes for identifiers.
type Source interface {
	Read(p []byte)
}

// Crypto is the production source.
type Crypto struct{}

func (Crypto) Read(p []byte) { _, _ = rand.Read(p) }

// Buffered is a crypto source that draws from the operating system in blocks: a request id
// is 16 bytes, and one getrandom call per request showed in the server's CPU per request.
// Reads of a block or more go to the system directly. Safe for concurrent use; the zero
// value is ready.
type Buffered struct {
	mu    sync.Mutex
	block [512]byte
	left  int // unread bytes at the end of block
}

func (s *Buffered) Read(p []byte) {
	if len(p) >= len(s.block) {
		_, _ = rand.Read(p)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(p) > 0 {
		if s.left == 0 {
			_, _ = rand.Read(s.block[:])
			s.left = len(s.block)
		}
		unread := s.block[len(s.block)-s.left:]
		n := copy(p, unread)
		clear(unread[:n]) // bytes handed out do not linger in the block
		s.left -= n
		p = p[n:]
	}
}

// Seeded is a deterministic source for tests; safe for concurrent use.
type Seeded struct {
	mu  sync.Mutex
	rng *mrand.ChaCha8
}

// NewSeeded returns a deterministic source.
func NewSeeded(seed uint64) *Seeded {
	var s [32]byte
	for i := 0; i < 8; i++ {
		s[i] = byte(seed >> (8 * i))
	}
	return &Seeded{rng: mrand.NewChaCha8(s)}
}

func (s *Seeded) Read(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.rng.Read(p)
}

// Generator formats identifiers from a Source.
type Generator struct{ Src Source }

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" // AWS unique ids use base32-like upper case
	secretSet  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func (g Generator) pick(n int, set string) string {
	buf := make([]byte, n)
	g.Src.Read(buf)
	out := make([]byte, n)
	for i, b := range buf {
		out[i] = set[int(b)%len(set)]
	}
	return string(out)
}

// UUID returns a random RFC 4122 version 4 UUID, AWS's request id format.
func (g Generator) UUID() string {
	var b [16]byte
	g.Src.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	// Every request has one: formatted without fmt, in one allocation.
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// UniqueID returns an IAM unique id: prefix (AIDA, AROA, ANPA, AGPA, AIPA, ...) + 17 characters.
func (g Generator) UniqueID(prefix string) string { return prefix + g.pick(21-len(prefix), upperAlnum) }

// AccessKeyID returns an access key id: AKIA (long-term) or ASIA (temporary) + 16 characters.
func (g Generator) AccessKeyID(prefix string) string {
	return prefix + g.pick(20-len(prefix), upperAlnum)
}

// Secret returns a 40-character secret access key.
func (g Generator) Secret() string { return g.pick(40, secretSet) }

// Token returns a session token of n characters.
func (g Generator) Token(n int) string { return g.pick(n, secretSet) }

// Digits returns n decimal digits (account ids, MFA codes).
func (g Generator) Digits(n int) string {
	var b [8]byte
	out := make([]byte, n)
	for i := range out {
		g.Src.Read(b[:1])
		out[i] = byte('0' + new(big.Int).Mod(big.NewInt(int64(b[0])), big.NewInt(10)).Int64())
	}
	return string(out)
}
