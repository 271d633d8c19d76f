package authorize

import (
	"slices"
	"testing"
)

func TestAnnotateAddsNotesToTheRequestsDecisions(t *testing.T) {
	t.Parallel()
	l := NewDecisionLog(3)
	for _, id := range []string{"r1", "r2", "r2", "r3"} { // r1 falls out of the ring
		l.Add(Decision{RequestID: id})
	}
	l.Annotate("r2", []string{"WARNING a"})
	l.Annotate("r1", []string{"lost"})
	l.Annotate("", []string{"nobody"})
	var got [][]string
	for _, d := range l.Snapshot() {
		got = append(got, d.PolicyFindings)
	}
	want := [][]string{{"WARNING a"}, {"WARNING a"}, nil}
	if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("findings %q, want %q", got, want)
	}
}
