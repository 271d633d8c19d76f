package pagetoken

import "testing"

func TestRoundTripAndGarbage(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 50, 1 << 30} {
		if got, ok := Decode(Encode(n)); !ok || got != n {
			t.Errorf("Decode(Encode(%d)) = %d, %v", n, got, ok)
		}
	}
	if n, ok := Decode(""); !ok || n != 0 {
		t.Errorf(`Decode("") = %d, %v`, n, ok)
	}
	for _, bad := range []string{"zz", Encode(-1), "bjox", "o:5", "!!!"} {
		if _, ok := Decode(bad); ok {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}
