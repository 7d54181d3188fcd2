package integration

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// fieldsFixture copies the fixture of struct field changes and returns
// its directory.
func fieldsFixture(t *testing.T) string {
	t.Helper()
	return copyFixture(t, "livefields")
}

// TestLivePatchFieldAdded adds a field to a struct type that compiled code
// uses, with a method that uses it at once: the counter made before the
// save reads the new field's zero value, then counts up, while its
// compiled fields keep their values. The prompt reads and writes the field
// at a breakpoint. A second save adds a field of a new type.
func TestLivePatchFieldAdded(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := fieldsFixture(t)
		thread := env.startLive(dir)
		env.checkReport(thread, "c 2 <>")
		editFile(t, dir, "main.go", "\told  string\n", "\told  string\n\thits int\n",
			"c.n++\n\treturn fmt.Sprint(c.name, \" \", c.n)", "c.n++\n\tc.hits++\n\treturn fmt.Sprint(c.name, \" \", c.n, \" hits \", c.hits)")
		env.waitConsole("patched main.(*counter).tick (main.go:19)")
		env.checkReport(thread, "c 3 hits 1 <>")
		env.checkReport(thread, "c 4 hits 2 <>")
		frame := env.TopFrame(thread).Id
		if got := env.Evaluate(frame, "c.hits", "repl"); got != "2" {
			t.Errorf("c.hits at the prompt: got %q, want 2", got)
		}
		env.Evaluate(frame, "c.hits = 10", "repl")
		env.checkReport(thread, "c 5 hits 11 <>")
		// A second save adds a field of a type the change declares; the
		// first field keeps its values.
		editFile(t, dir, "main.go", "\thits int\n", "\thits int\n\tlv   level\n",
			"c.hits++\n", "c.hits++\n\tc.lv += 2\n", "c.n, \" hits \", c.hits)", "c.n, \" hits \", c.hits, \" lv \", c.lv)",
			"func label(", "type level int\n\nfunc label(")
		env.waitConsole("patched main.(*counter).tick (main.go:20)")
		env.checkReport(thread, "c 6 hits 12 lv 2 <>")
		env.Disconnect()
	})
}

// TestLivePatchFieldRemoved removes a field: refused while its compiled
// user is left unpatched, naming it; live once the same save patches that
// user too.
func TestLivePatchFieldRemoved(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := fieldsFixture(t)
		thread := env.startLive(dir)
		editFile(t, dir, "main.go", "\told  string\n", "")
		got := env.waitConsole("field old removed from counter and compiled code uses it (main.label)")
		if !strings.Contains(got, "nothing of this save was applied") {
			t.Errorf("removal with a compiled user: %q, want nothing applied", got)
		}
		env.checkReport(thread, "c 2 <>")
		editFile(t, dir, "main.go", "return \"<\" + c.old + \">\"", "return \"gone\"")
		env.waitConsole("patched main.label (main.go:22)")
		env.checkReport(thread, "c 3 gone")
		env.Disconnect()
	})
}

// TestLivePatchFieldRetyped changes the type of a field: refused, with the
// reason.
func TestLivePatchFieldRetyped(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := fieldsFixture(t)
		thread := env.startLive(dir)
		editFile(t, dir, "main.go", "\tn    int\n", "\tn    int64\n")
		env.waitConsole("main.go:14:2: type of field n of counter changed: restart to apply")
		env.checkReport(thread, "c 2 <>")
		env.Disconnect()
	})
}

// TestLivePatchFieldsReordered moves compiled fields of a struct among
// themselves, with an unkeyed literal of the type in the patched method:
// the change goes live with the note of what keeps the compiled order,
// the literal sets each field by name, interpreted and then native, and
// the counter made before the save keeps its values.
func TestLivePatchFieldsReordered(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		dir := fieldsFixture(t)
		thread := env.startLive(dir)
		env.checkReport(thread, "c 2 <>")
		editFile(t, dir, "main.go", "\tname string\n\tn    int\n", "\tn    int\n\tname string\n",
			"return fmt.Sprint(c.name, \" \", c.n)", "d := counter{c.n * 10, \"d\", \"\"}\n\treturn fmt.Sprint(c.name, \" \", c.n, \" \", d.name, d.n)")
		env.waitConsole("main.go:13:2: fields of counter reordered: its values keep the compiled order, which only reflection (fmt's %v, encoding/json) and unsafe see, until a restart")
		env.checkReport(thread, "c 3 d30 <>")
		// The switch to native code waits for the program to run.
		env.SetBreakpoints(filepath.Join(dir, "main.go"))
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
		env.waitConsole("native: main.(*counter).tick")
		after := 0
		env.waitOutputMatch("two reports of the native code, each d ten times c", func(cat, text string) bool {
			var c, d int
			if k, err := fmt.Sscanf(text, "c %d d%d <>", &c, &d); cat != "stdout" || err != nil || k != 2 {
				return false
			}
			if c <= 3 {
				return false // printed before the switch
			}
			if d != 10*c {
				t.Errorf("report %q: want d ten times c", text)
			}
			after++
			return after == 2
		})
		env.Disconnect()
	})
}
