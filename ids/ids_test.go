package ids

import (
	"regexp"
	"testing"
)

func TestFormats(t *testing.T) {
	t.Parallel()
	g := Generator{Src: NewSeeded(1)}
	tests := []struct {
		name string
		got  string
		re   string
	}{
		{"uuid v4", g.UUID(), `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
		{"user id", g.UniqueID("AIDA"), `^AIDA[A-Z2-7]{17}$`},
		{"access key", g.AccessKeyID("AKIA"), `^AKIA[A-Z2-7]{16}$`},
		{"temporary key", g.AccessKeyID("ASIA"), `^ASIA[A-Z2-7]{16}$`},
		{"secret", g.Secret(), `^[A-Za-z0-9+/]{40}$`},
		{"token", g.Token(356), `^[A-Za-z0-9+/]{356}$`},
		{"digits", g.Digits(12), `^[0-9]{12}$`},
	}
	for _, tt := range tests {
		if !regexp.MustCompile(tt.re).MatchString(tt.got) {
			t.Errorf("%s = %q, want %s", tt.name, tt.got, tt.re)
		}
	}
}

func TestSeededIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := Generator{Src: NewSeeded(7)}, Generator{Src: NewSeeded(7)}
	for i := 0; i < 10; i++ {
		if x, y := a.UniqueID("AROA"), b.UniqueID("AROA"); x != y {
			t.Fatalf("same seed differs: %s %s", x, y)
		}
	}
	c, d := Generator{Src: NewSeeded(8)}, Generator{Src: NewSeeded(7)}
	if c.UUID() == d.UUID() {
		t.Error("different seeds gave the same UUID")
	}
	e := Generator{Src: Crypto{}}
	if e.Secret() == e.Secret() {
		t.Error("crypto source repeated a secret")
	}
}

// A UUID is its source's 16 bytes, version and variant set, as lowercase hex in 8-4-4-4-12
// groups: the request ids of the golden files depend on these exact bytes.
func TestUUIDBytes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		src  [16]byte
		want string
	}{
		{"zeros", [16]byte{}, "00000000-0000-4000-8000-000000000000"},
		{"ones", [16]byte{0: 0xff, 1: 0xff, 2: 0xff, 3: 0xff, 4: 0xff, 5: 0xff, 6: 0xff, 7: 0xff, 8: 0xff, 9: 0xff,
			10: 0xff, 11: 0xff, 12: 0xff, 13: 0xff, 14: 0xff, 15: 0xff}, "ffffffff-ffff-4fff-bfff-ffffffffffff"},
		{"counting", [16]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe},
			"01234567-89ab-4def-9032-547698badcfe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := (Generator{Src: fixedSource(tc.src)}).UUID(); got != tc.want {
				t.Errorf("UUID = %s, want %s", got, tc.want)
			}
		})
	}
}

// fixedSource yields its bytes, over and over.
type fixedSource [16]byte

func (f fixedSource) Read(p []byte) {
	for i := range p {
		p[i] = f[i%len(f)]
	}
}

// A buffered source hands out each block byte once, across refills and reads of every size,
// and reads of a block or more straight from the system.
func TestBufferedNeverRepeats(t *testing.T) {
	t.Parallel()
	var src Buffered
	seen := map[string]bool{}
	for _, n := range []int{16, 16, 7, 500, 1, 40, 511, 512, 4096, 16, 3} {
		for range 40 {
			p := make([]byte, n)
			src.Read(p)
			if n >= 16 {
				if seen[string(p)] {
					t.Fatalf("read of %d bytes repeated earlier output", n)
				}
				seen[string(p)] = true
			}
		}
	}
	if src.left < 0 || src.left > len(src.block) {
		t.Fatalf("left = %d", src.left)
	}
	for i, b := range src.block[:len(src.block)-src.left] {
		if b != 0 {
			t.Fatalf("handed-out byte %d still in the block", i)
		}
	}
	g := Generator{Src: &src}
	if g.UUID() == g.UUID() {
		t.Error("buffered source repeated a UUID")
	}
}

func TestBufferedConcurrent(t *testing.T) {
	t.Parallel()
	var src Buffered
	g := Generator{Src: &src}
	results := make(chan string, 800)
	for range 8 {
		go func() {
			for range 100 {
				results <- g.UUID()
			}
		}()
	}
	seen := map[string]bool{}
	for range 800 {
		id := <-results
		if seen[id] {
			t.Fatalf("UUID %s handed out twice", id)
		}
		seen[id] = true
	}
}
