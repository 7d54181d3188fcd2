package repatch

import "testing"

// TestFirstLine checks the line a report shows of a message: a failed
// build's first error, not the go command's package header.
func TestFirstLine(t *testing.T) {
	for _, tc := range []struct{ msg, want string }{
		{"one\ntwo", "one"},
		{"plugin: exit status 1: # example.com/p/lp_native_3\n./a.go:3:9: undefined: lp_p.X\n", "plugin: exit status 1: ./a.go:3:9: undefined: lp_p.X"},
		{"# example.com/p\n# example.com/p\nb.go:1:1: bad\n", "b.go:1:1: bad"},
		{"a # b", "a # b"},
	} {
		if got := firstLine(tc.msg); got != tc.want {
			t.Errorf("firstLine(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}
