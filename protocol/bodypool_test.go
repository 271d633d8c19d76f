package protocol_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/iamlocal/iamlocal/protocol"
)

// A lent body is reused only after Done, and a reused buffer starts empty: concurrent
// answers never see one another's bytes.
func TestBodyPoolLendsAfterDone(t *testing.T) {
	t.Parallel()
	var pool protocol.BodyPool
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := strings.Repeat(string(rune('a'+i)), 100+i)
			for range 200 {
				b := pool.Get()
				b.WriteString(want)
				w := protocol.Lent(http.StatusOK, nil, b, &pool)
				if string(w.Body) != want {
					t.Errorf("body %q, want %q", w.Body, want)
					return
				}
				w.Done()
			}
		}()
	}
	wg.Wait()
}

// Done on a body that was not lent leaves it alone.
func TestDoneLeavesAllocatedBodies(t *testing.T) {
	t.Parallel()
	w := protocol.NewWire(http.StatusOK, "text/xml", []byte("<a/>"))
	w.Done()
	if string(w.Body) != "<a/>" {
		t.Errorf("body %q after Done", w.Body)
	}
}
