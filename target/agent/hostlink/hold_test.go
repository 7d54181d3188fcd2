package hostlink

import (
	"testing"
	"time"
)

func TestHoldLimit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, true}, {"0", 0, true}, {"1", DefaultHold, true}, {"90s", 90 * time.Second, true},
		{"-1s", 0, false}, {"soon", 0, false},
	} {
		got, err := HoldLimit(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("HoldLimit(%q): got %v, %v; want %v, ok=%t", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
