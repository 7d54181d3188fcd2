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

// editFile replaces from with to in the file name of dir, once, and
// writes it back.
func editFile(t *testing.T, dir, name, from, to string) {
	t.Helper()
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), from) {
		t.Fatalf("%s has no %q", name, from)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), from, to, 1)), 0o644); err != nil {
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
// first, the change goes live when the package type-checks.
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
			editFile(t, dir, "words.go", helper, withHelper)
			env.waitConsole("patched main.line (main.go:12)")
			env.checkReport(thread, "HELLO X! v1")
			env.Disconnect()
		})
	})
}
