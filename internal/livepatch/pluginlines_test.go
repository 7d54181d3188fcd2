package livepatch

import "testing"

// TestPluginFuncName checks the names that plugin code a save declared
// anew gets in the program: in the patched package, in full for a
// traceback and as Delve shortens names for the stack.
func TestPluginFuncName(t *testing.T) {
	for _, c := range []struct{ patch, fn, full, short string }{
		{"example.com/native/lib.(*Counter).Inc", "example.com/native/lp_native_1975_1.triple", "example.com/native/lib.triple", "lib.triple"},
		{"main.(*Counter).Tick", "example.com/counter/lp_native_2_1.(*Counter).half", "main.(*Counter).half", "main.(*Counter).half"},
		{"example.com/lib.F", "example.com/lp_native_3_1.G[example.com/other.T]", "example.com/lib.G[example.com/other.T]", "lib.G[example.com/other.T]"},
	} {
		p := &Patch{Name: c.patch}
		if got := pluginFuncName(p, c.fn); got != c.full {
			t.Errorf("pluginFuncName(%s, %s) = %s, want %s", c.patch, c.fn, got, c.full)
		}
		if got := pluginFrameName(p, c.fn); got != c.short {
			t.Errorf("pluginFrameName(%s, %s) = %s, want %s", c.patch, c.fn, got, c.short)
		}
	}
}
