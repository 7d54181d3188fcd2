package integration

import (
	"strings"
	"testing"
)

// TestLivePatchNewVariable saves a new package variable with a function
// that uses it at once: it goes live with its initializer run once; the
// prompt reads and writes it; a later save of another file patches a
// function that uses it too, and the variable keeps its value (the save
// declares it as before); a changed initializer of it applies nothing and
// says so; a changed type is refused.
func TestLivePatchNewVariable(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := filesFixture(t)
		thread := env.startLive(dir)
		editFile(t, dir, "words.go", "import (\n", "import (\n\t\"fmt\"\n",
			"func greet(name string) string {\n\treturn \"hello \" + name\n}",
			"var calls = 10\n\nfunc greet(name string) string {\n\tcalls++\n\treturn fmt.Sprintf(\"hello %s %d\", name, calls)\n}")
		got := env.waitConsole("patched main.greet (words.go:14)")
		if !strings.Contains(got, "added variable calls for patched code, initialized") {
			t.Errorf("first save: %q, want it to say that calls was added", got)
		}
		env.checkReport(thread, "hello x 11 v1")
		frame := env.TopFrame(thread).Id
		env.mustEval(frame, "$calls", "11")
		env.mustEval(frame, "$calls = 20", "")
		env.checkReport(thread, "hello x 21 v1")

		// Another file's function uses it: the variable keeps its value.
		editFile(t, dir, "main.go", "return \"x\"", "return fmt.Sprint(\"t\", calls)")
		env.waitConsole("patched main.title (main.go:16)")
		env.checkReport(thread, "hello t21 22 v1")

		editFile(t, dir, "words.go", "var calls = 10", "var calls = 50")
		env.waitConsole("words.go:12:5: calls keeps its value: its initializer ran once, when a save made it live; to set it now, evaluate: calls = 50")
		env.checkReport(thread, "hello t22 23 v1")

		editFile(t, dir, "words.go", "var calls = 50", "var calls int64 = 50")
		env.waitConsole("words.go:12:5: type of variable calls changed (int to int64): restart to apply")
		env.checkReport(thread, "hello t23 24 v1")
		env.Disconnect()
	})
}

// TestLivePatchVariableNotes changes the initializer of a compiled
// variable: nothing applies, and the console says that the variable keeps
// its value and how to set it. Blank assertions (var _ I = x) are checked
// with the package: one that holds goes live with its change, one that
// fails is a type error.
func TestLivePatchVariableNotes(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := filesFixture(t)
		thread := env.startLive(dir)
		editFile(t, dir, "words.go", "var limit = 3", "var limit = 5")
		env.waitConsole("words.go:21:5: limit keeps its value: its initializer ran once, at start-up; to set it now, evaluate: limit = 5")
		frame := env.TopFrame(thread).Id
		env.mustEval(frame, "$limit", "3")

		editFile(t, dir, "words.go", "import (\n", "import (\n\t\"fmt\"\n",
			"func greet(", "type word string\n\nfunc (w word) String() string { return string(w) }\n\nvar _ fmt.Stringer = word(\"\")\n\nvar _ = limit\n\nfunc greet(",
			`"hello "`, `"howdy "`)
		env.waitConsole("patched main.greet (words.go:20)")
		env.checkReport(thread, "howdy x v1")

		editFile(t, dir, "words.go", "var _ fmt.Stringer = word(\"\")", "var _ fmt.Stringer = limit")
		env.waitConsole("words.go:16:22: cannot use limit (variable of type int) as fmt.Stringer value in variable declaration: int does not implement fmt.Stringer (missing method String)")
		env.checkReport(thread, "howdy x v1")
		env.Disconnect()
	})
}
