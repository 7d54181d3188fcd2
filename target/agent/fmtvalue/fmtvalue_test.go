package fmtvalue

import (
	"fmt"
	"strings"
	"testing"
)

type celsius float64

func (c celsius) String() string { return fmt.Sprintf("%.1f°C", float64(c)) }

type code int

func (c code) Error() string    { return fmt.Sprintf("code %d", int(c)) }
func (c code) String() string   { return "not this" }
func (c code) GoString() string { return "code(7)" }

type point struct{ X, Y int }

func (p point) Format(f fmt.State, verb rune) { fmt.Fprintf(f, "<%c %d>", verb, p.X+p.Y) }

// TestValueFormatsAsFmt compares what fmt prints of a value given through
// Value, as interpreted code gives one of its own types, with what it
// prints of the compiled value, verb by verb.
func TestValueFormatsAsFmt(t *testing.T) {
	c, k, p := celsius(21.5), code(7), point{1, 2}
	cases := []struct {
		compiled, given any
	}{
		{c, Value(float64(c), c.String, nil, nil, nil)},
		{k, Value(int(k), k.String, k.Error, k.GoString, nil)},
		{p, Value(struct{ X, Y int }(p), nil, nil, nil, p.Format)},
	}
	for _, format := range []string{"%v", "%s", "%d", "%.1f", "%q", "%x", "%8v|", "%-8s|", "%+v", "%#v", "%5.2f"} {
		for _, tc := range cases {
			want, got := fmt.Sprintf(format, tc.compiled), fmt.Sprintf(format, tc.given)
			if strings.HasPrefix(want, "%!") {
				continue // a bad verb's message names the type, which Value does not know
			}
			if got != want {
				t.Errorf("%s of %T: got %q, want %q", format, tc.compiled, got, want)
			}
		}
	}
	if got := fmt.Sprint(Value(float64(c), c.String, nil, nil, nil), " ", k); got != "21.5°C code 7" {
		t.Errorf("Sprint: got %q", got)
	}
}
