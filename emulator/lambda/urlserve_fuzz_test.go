package lambda

import (
	"errors"
	"testing"
)

// A function's answer and a stream's prelude are the function's to write: whatever they hold,
// the mapping answers a response or ErrBadURLResponse, never a panic.
func FuzzMapURLResponse(f *testing.F) {
	for _, seed := range []string{`"text"`, `{"statusCode":201,"headers":{"a":"b"},"cookies":["c=1"],"body":"x"}`,
		`{"statusCode":"200","body":"AA==","isBase64Encoded":true}`, `[1]`, `null`, `{`, `{"statusCode":{}}`, `{"body":1}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		res, err := MapURLResponse(payload)
		if err != nil && !errors.Is(err, ErrBadURLResponse) {
			t.Fatalf("error %v is not ErrBadURLResponse", err)
		}
		if err == nil && (res.Status < 100 || res.Status > 599 || res.Header.Get("Content-Type") == "") {
			t.Fatalf("response %+v", res)
		}
	})
}

func FuzzPrelude(f *testing.F) {
	f.Add([]byte(`{"statusCode":201}`+"\x00\x00\x00\x00\x00\x00\x00\x00body"), 3)
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x00"), 1)
	f.Add([]byte(`{"headers":{"a":1}}`), 5)
	f.Fuzz(func(t *testing.T, stream []byte, cut int) {
		var p Prelude
		if cut < 0 || cut > len(stream) {
			cut = len(stream) / 2
		}
		for _, chunk := range [][]byte{stream[:cut], stream[cut:]} {
			res, _, done, err := p.Feed(chunk)
			if err != nil {
				if !errors.Is(err, ErrBadURLResponse) {
					t.Fatalf("error %v", err)
				}
				return
			}
			if done {
				if res.Status < 100 || res.Status > 599 {
					t.Fatalf("status %d", res.Status)
				}
				return
			}
		}
	})
}
