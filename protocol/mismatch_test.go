package protocol

import "testing"

func TestMismatchPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    *Mismatch
		want string
	}{
		{Fail("string"), ""},
		{Fail("string").At("Name"), "Name"},
		{Fail("number").At("Value").AtIndex(2).At("MetricData"), "MetricData[2].Value"},
		{Fail("string").AtIndex(0).AtIndex(1).At("Grid"), "Grid[1][0]"},
		{Fail("string").At("k").At("Tags"), "Tags.k"},
	}
	for _, tt := range tests {
		if got := tt.m.Path(); got != tt.want || tt.m.Want == "" {
			t.Errorf("Path = %q, want %q", got, tt.want)
		}
	}
}
