package prompt

import (
	"testing"
)

func TestRoute(t *testing.T) {
	declared := func(n string) bool { return n == "z" }
	tests := []struct {
		in     string
		want   path
		text   string
		forced bool
	}{
		{in: "x", want: toDelve, text: "x"},
		{in: "c.n + x*2", want: toDelve, text: "c.n + x*2"},
		{in: "len(items) + int(f)", want: toDelve, text: "len(items) + int(f)"},
		{in: "c.Inc() + x", want: toAgent, text: "c.Inc() + x"},
		{in: "x = 5", want: toAgent, text: "x = 5"},
		{in: "y := f(x)", want: toAgent, text: "y := f(x)"},
		{in: `import "strings"`, want: toAgent, text: `import "strings"`},
		{in: "func h() {}", want: toAgent, text: "func h() {}"},
		{in: "<-ch", want: toAgent, text: "<-ch"},
		{in: "z + 1", want: toAgent, text: "z + 1"},
		{in: "?c.Inc()", want: toDelve, text: "c.Inc()", forced: true},
		{in: "$x", want: toAgent, text: "x", forced: true},
		{in: "dlv help", want: toDelve, text: "dlv help", forced: true},
		{in: "call f()", want: toDelve, text: "call f()", forced: true},
	}
	for _, tt := range tests {
		p, text, forced := route(tt.in, declared)
		if p != tt.want || text != tt.text || forced != tt.forced {
			t.Errorf("route(%q): got %v %q %v, want %v %q %v", tt.in, p, text, forced, tt.want, tt.text, tt.forced)
		}
	}
}

func TestReceiverExpr(t *testing.T) {
	for in, want := range map[string]string{
		"c":               "c",
		"x + c.inner":     "c.inner",
		"f(a).b[i]":       "f(a).b[i]",
		"fmt.Println(cfg": "cfg",
	} {
		if got := receiverExpr(in); got != want {
			t.Errorf("receiverExpr(%q): got %q, want %q", in, got, want)
		}
	}
}

// TestInterpretedStack checks the panic report's frames: the input's own
// wrapper is left out, so a panic raised in it directly has no frames,
// and the report then has no stack heading (agentError).
func TestInterpretedStack(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"1:24: panic: main(...)\n", ""},
		{"3:2: panic: main.f(...)\n3:2: panic: main.f(...)\n1:1: panic: main(...)", "\tmain.f(...), line 3\n\t... the same frame 1 more times"},
	} {
		if got := interpretedStack(tc.in); got != tc.want {
			t.Errorf("interpretedStack(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
