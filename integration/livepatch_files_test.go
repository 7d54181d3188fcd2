package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// filesFixture copies the fixture of changes that span files and returns
// its directory.
func filesFixture(t *testing.T) string {
	t.Helper()
	return copyFixture(t, "livefiles")
}

// editFile makes replacements (from, to, from, to, ...) in the file name
// of dir, each once, and writes it back in one write.
func editFile(t *testing.T, dir, name string, replacements ...string) {
	t.Helper()
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for i := 0; i+1 < len(replacements); i += 2 {
		if !strings.Contains(text, replacements[i]) {
			t.Fatalf("%s has no %q", name, replacements[i])
		}
		text = strings.Replace(text, replacements[i], replacements[i+1], 1)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// nextReport continues to the breakpoint and returns the reported line,
// unquoted.
func (e *Env) nextReport(thread int) string {
	e.T.Helper()
	return strings.Trim(e.next(thread), `"`)
}

// checkReport checks the fixture's report after the next continue.
func (e *Env) checkReport(thread int, want string) {
	e.T.Helper()
	if got := e.nextReport(thread); got != want {
		e.T.Errorf("report: got %q, want %q", got, want)
	}
}

// TestLivePatchTwoFiles saves a change of two files, a helper added in
// words.go and used from main.go, in both orders: whichever is saved
// first, the change goes live when the package type-checks; meanwhile,
// another save of the package says it waits for the file that does not
// type-check.
func TestLivePatchTwoFiles(t *testing.T) {
	const helper = "func spare()"
	const withHelper = "func loud(s string) string { return shout(s) + \"!\" }\n\nfunc spare()"
	const use, withUse = "return greet(title())", "return loud(greet(title()))"
	t.Run("helper first", func(t *testing.T) {
		RunLive(t, func(t *testing.T, env *Env) {
			dir := filesFixture(t)
			thread := env.startLive(dir)
			editFile(t, dir, "words.go", helper, withHelper)
			env.waitConsole("words.go: nothing to patch yet: what it declares anew (loud) goes live with the code that uses it")
			editFile(t, dir, "main.go", use, withUse)
			env.waitConsole("patched main.line (main.go:12)")
			env.checkReport(thread, "HELLO X! v1")
			env.Disconnect()
		})
	})
	t.Run("user first", func(t *testing.T) {
		RunLive(t, func(t *testing.T, env *Env) {
			dir := filesFixture(t)
			thread := env.startLive(dir)
			editFile(t, dir, "main.go", use, withUse)
			got := env.waitConsole("main.go:13:9: undefined: loud")
			if !strings.Contains(got, "nothing of this save was applied: it goes live when package main type-checks") {
				t.Errorf("save of the user alone: %q, want it to say it goes live when the package type-checks", got)
			}
			env.checkReport(thread, "hello x v1")
			// Another change of the package waits for main.go too.
			editFile(t, dir, "words.go", `"hello "`, `"howdy "`)
			env.waitConsole("nothing of this save was applied: it waits for main.go, and goes live when package main type-checks")
			env.checkReport(thread, "hello x v1")
			editFile(t, dir, "words.go", helper, withHelper)
			got = env.waitConsole("patched main.line (main.go:12)")
			if !strings.Contains(got, "patched main.greet (words.go:11)") {
				t.Errorf("save of the helper: %q, want main.greet patched too", got)
			}
			env.checkReport(thread, "HOWDY X! v1")
			env.Disconnect()
		})
	})
}

// TestLivePatchRemovedFunction removes a function nothing calls, with a
// body change: the body goes live, and the console says the removed
// function's compiled body stays, unused.
func TestLivePatchRemovedFunction(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := filesFixture(t)
		thread := env.startLive(dir)
		editFile(t, dir, "words.go", "// spare is called by nothing: a save may remove it.\nfunc spare() string { return \"spare\" }\n", "",
			`"hello "`, `"howdy "`)
		got := env.waitConsole("patched main.greet")
		if !strings.Contains(got, "words.go:1:9: spare removed: its compiled body stays in the program, unused") {
			t.Errorf("save reported %q, want it to say that spare's compiled body stays, unused", got)
		}
		env.checkReport(thread, "howdy x v1")
		env.Disconnect()
	})
}

// TestLivePatchParameterRename renames a parameter, from a name and from
// `_`: neither is a signature change.
func TestLivePatchParameterRename(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := filesFixture(t)
		thread := env.startLive(dir)
		editFile(t, dir, "words.go", "func greet(name string) string {\n\treturn \"hello \" + name", "func greet(who string) string {\n\treturn \"hi \" + who")
		env.waitConsole("patched main.greet (words.go:11)")
		env.checkReport(thread, "hi x v1")
		editFile(t, dir, "words.go", "func shout(s string) string { return strings.ToUpper(s) }", "func shout(_ string) string { return \"\" }")
		env.waitConsole("patched main.shout (words.go:15)")
		editFile(t, dir, "words.go", "func shout(_ string) string { return \"\" }", "func shout(t string) string { return strings.ToLower(t) }")
		env.waitConsole("patched main.shout (words.go:15)")
		env.Disconnect()
	})
}

// TestLivePatchNewFile saves a new file of the package, then a change
// that uses what it declares: both go live, as the same declarations in
// an existing file would.
func TestLivePatchNewFile(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := filesFixture(t)
		thread := env.startLive(dir)
		extra := "package main\n\nimport \"strings\"\n\nfunc loud(s string) string { return strings.ToUpper(s) + \"!\" }\n"
		if err := os.WriteFile(filepath.Join(dir, "extra.go"), []byte(extra), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("extra.go: nothing to patch yet: what it declares anew (loud) goes live with the code that uses it")
		editFile(t, dir, "main.go", "return greet(title())", "return loud(greet(title()))")
		env.waitConsole("patched main.line (main.go:12)")
		env.checkReport(thread, "HELLO X! v1")
		env.Disconnect()
	})
}

// TestLivePatchEmbed changes a file that a //go:embed directive embeds:
// the change is refused with that reason, alone and with a Go change.
func TestLivePatchEmbed(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := filesFixture(t)
		thread := env.startLive(dir)
		const refusal = "banner.txt: embedded file changed (//go:embed in words.go): the running program keeps the content it was built with: restart to apply"
		if err := os.WriteFile(filepath.Join(dir, "banner.txt"), []byte("v2"), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole(refusal)
		editFile(t, dir, "words.go", `"hello "`, `"howdy "`)
		got := env.waitConsole(refusal)
		if !strings.Contains(got, "nothing of this save was applied") {
			t.Errorf("Go change with the embedded file: %q, want nothing applied", got)
		}
		env.checkReport(thread, "hello x v1")
		env.Disconnect()
	})
}

// TestLivePatchImportKept saves a change that imports a package the
// program links for one function, then changes another function of the
// file: the import, used by the live patch only, is no error.
func TestLivePatchImportKept(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := filesFixture(t)
		thread := env.startLive(dir)
		editFile(t, dir, "main.go", "import (\n\t\"fmt\"\n", "import (\n\t\"fmt\"\n\t\"strings\"\n",
			"return greet(title()) + \" \" + banner", "return strings.ToUpper(greet(title())) + \" \" + banner")
		env.waitConsole("patched main.line (main.go:13)")
		env.checkReport(thread, "HELLO X v1")
		editFile(t, dir, "main.go", "return \"x\"", "return \"y\"")
		env.waitConsole("patched main.title (main.go:17)")
		env.checkReport(thread, "HELLO Y v1")
		env.Disconnect()
	})
}

// TestLivePatchFileRemoved removes a file of the build whose declarations
// a function of another file uses: the removal is planned as a save that
// empties the file, so it waits for that function, and the save of its
// file makes both go live, as removing the same declarations from the
// file would (go-chi/chi v5.2.4 removes path_value.go; a removed file was
// left as it was, with the advice to restart).
func TestLivePatchFileRemoved(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livetypes")
		thread := env.startLive(dir)
		if err := os.Remove(filepath.Join(dir, "types.go")); err != nil {
			t.Fatal(err)
		}
		got := env.waitConsoleAny("nothing of this save was applied", "types.go: removed")
		for _, want := range []string{"types.go:1:9: shouts removed and compiled code uses it (main.line)",
			"livepatch: nothing of this save was applied: it waits for those functions, and goes live when package main changes them too"} {
			if !strings.Contains(got, want) {
				t.Errorf("removal of types.go: %q, want %q", got, want)
			}
		}
		editFile(t, dir, "main.go", `return pet.Speak() + " " + shouts() + " " + show(box{v: 1}.v)`, `return "plain"`)
		got = env.waitConsoleAny("patched main.line", "nothing of this save was applied")
		if want := "types.go:1:9: shouts removed: its compiled body stays in the program, unused"; !strings.Contains(got, "patched main.line (main.go:11)") || !strings.Contains(got, want) {
			t.Errorf("save of main.go: %q, want main.line patched and %q", got, want)
		}
		env.checkReport(thread, "plain")
		env.Disconnect()
	})
}
