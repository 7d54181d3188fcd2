package integration

import (
	"fmt"
	"strings"
	"testing"
)

// TestNativeOnlyState saves, twice, a change of a non-main package that
// only the native tier can take (it imports a package the program does
// not link) and that declares state anew: a package variable, a field of
// a compiled struct, and a literal of that struct naming its unexported
// field. Both go live natively; the second plugin finds the variable and
// the field as the first left them (the variable's initializer ran once),
// so the counter steps by exactly 10, then 20.
func TestNativeOnlyState(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		src := strings.Replace(string(orig), "package lib\n", "package lib\n\nimport \"hash/crc32\"\n\nvar calls = 10 + int(crc32.ChecksumIEEE(nil))\n", 1)
		src = strings.Replace(src, "\tn int\n}", "\tn    int\n\thits int\n}", 1)
		for _, step := range []int{10, 20} {
			saveEdit(t, lib, []byte(src), "c.n += step()", fmt.Sprintf("calls++\n\tc.hits++\n\tc.n += (&Counter{n: %d * (calls - c.hits)}).n * step()", step/10))
			name := fmt.Sprintf("example.com/native/lib.(*Counter).Inc (lib.go:%d)", lineOf(t, lib, "func (c *Counter) Inc"))
			env.waitConsole("waiting for the native build: " + name)
			env.waitConsole("native: " + name)
			env.waitCount(step)
		}
		env.Disconnect()
	})
}

// TestNativeOnlyVarOfInterpreter saves a change that declares a package
// variable and goes live interpreted, then one that only the native tier
// can take and uses the variable: the plugin takes the interpreter's
// storage of it (side.Share), so the second change goes live natively
// with the value the interpreted patch left, and its writes are seen by
// the next interpreted patch. The counter steps by the variable's value.
func TestNativeOnlyVarOfInterpreter(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		src := strings.Replace(string(orig), "func step() int { return 1 }", "func step() int { return 1 }\n\nvar calls = 10", 1)
		saveEdit(t, lib, []byte(src), "c.n += step()", "c.n += calls * step()")
		env.waitCount(10)
		src = strings.Replace(src, "package lib\n", "package lib\n\nimport \"hash/crc32\"\n", 1)
		saveEdit(t, lib, []byte(src), "c.n += step()", "if calls < 20 {\n\t\tcalls = 20 + int(crc32.ChecksumIEEE(nil))\n\t}\n\tc.n += calls * step()")
		name := fmt.Sprintf("example.com/native/lib.(*Counter).Inc (lib.go:%d)", lineOf(t, lib, "func (c *Counter) Inc"))
		env.waitConsole("native: " + name)
		env.waitCount(20)
		// Interpreted again: the plugin's write is the interpreter's.
		src = strings.Replace(src, "import \"hash/crc32\"\n", "", 1)
		saveEdit(t, lib, []byte(src), "c.n += step()", "c.n += (calls + 5) * step()")
		env.waitCount(25)
		env.Disconnect()
	})
}

// TestNativePromotedField saves a change that declares a type embedding
// the compiled Counter and reaches Counter's unexported field through it
// (promoted, and through the embedded field by name): the plugin writes
// the explicit path through the field's accessor, builds, and goes live
// natively with the same steps as interpreted.
func TestNativePromotedField(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		src := strings.Replace(string(orig), "func step() int { return 1 }", "func step() int { return 1 }\n\ntype box struct {\n\tCounter\n}", 1)
		saveEdit(t, lib, []byte(src), "c.n += step()", "b := &box{}\n\tb.Counter.n = c.n\n\tb.n += 3 * step()\n\tc.n = b.n")
		env.waitCount(3)
		name := fmt.Sprintf("example.com/native/lib.(*Counter).Inc (lib.go:%d)", lineOf(t, lib, "func (c *Counter) Inc"))
		env.waitConsole("native: " + name)
		env.waitCount(3)
		env.Disconnect()
	})
}
