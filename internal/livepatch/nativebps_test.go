package livepatch

import "testing"

func TestOuterFunc(t *testing.T) {
	for _, c := range []struct{ fn, want string }{
		{"example.com/native/lib/lp_native_1_2.LpNative0", ""},
		{"example.com/native/lib/lp_native_1_2.LpNative0.func1", "example.com/native/lib/lp_native_1_2.LpNative0"},
		{"example.com/native/lib/lp_native_1_2.LpNative0.func1.2", "example.com/native/lib/lp_native_1_2.LpNative0"},
		{"example.com/native/lib/lp_native_1_2.LpNative0.gowrap1", "example.com/native/lib/lp_native_1_2.LpNative0"},
		{"example.com/native/lib.(*Counter).Inc", ""},
		{"example.com/native/lib.(*Counter).Inc.func1", "example.com/native/lib.(*Counter).Inc"},
		{"main.main.func3", "main.main"},
		{"main.main", ""},
	} {
		if got := outerFunc(c.fn); got != c.want {
			t.Errorf("outerFunc(%q) = %q, want %q", c.fn, got, c.want)
		}
	}
}
