package terminal

import (
	"strings"
	"testing"
)

func TestLooksLikeGo(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool // evaluated as Go, not run as a command
	}{
		{"s := shout(cfg.Name)", true},
		{"s", false},
		{"c = 4", true},
		{"c == 4", true}, // continue takes no arguments
		{"n++", true},
		{"n ++", true},
		{"p, q = q, p", true},
		{"p x", false},
		{"p -x", false},
		{"b main.go:3", false},
		{"b = 2", true},
		{"l += 1", true},
		{"frame 1", false},
		{"restart now", true},
		{"x + 1", true},
	} {
		name, args, _ := strings.Cut(tc.line, " ")
		cmd := lookup(name)
		got := cmd == nil || looksLikeGo(cmd, strings.TrimSpace(args))
		if got != tc.want {
			t.Errorf("%q evaluated as Go: %v, want %v", tc.line, got, tc.want)
		}
	}
}
