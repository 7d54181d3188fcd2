package integration

import (
	"strings"
	"testing"
)

// TestLivePatchAcrossPackages saves a change that spans two packages: the
// main package calls a function of package sub with a type that sub
// declares anew, whose signature changes. Each package's patches are
// interpreted apart, so such a change cannot go live: the console says so
// precisely at each save, instead of saying that the save of main.go goes
// live when its package type-checks.
func TestLivePatchAcrossPackages(t *testing.T) {
	const refusal = "a change is planned one package at a time"
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livepkgs")
		thread := env.startLive(dir)
		editFile(t, dir, "sub/sub.go", "func Run(n int) string { return fmt.Sprint(\"run \", n) }",
			"type Opts struct{ N int }\n\nfunc Run(o Opts) string { return fmt.Sprint(\"run \", o.N) }")
		got := env.waitConsole("sub.go:9:1: signature of Run changed and its compiled caller main.line")
		if !strings.Contains(got, "main.line, of another package, is not patched: "+refusal+": restart to apply") {
			t.Errorf("save of sub.go: %q, want it to say that the caller is of another package", got)
		}
		editFile(t, dir, "main.go", "return sub.Run(1)", "return sub.Run(sub.Opts{N: 1})")
		got = env.waitConsole("main.go:14:21: undefined: sub.Opts")
		if want := "main.go:14:21: sub.Opts is declared by package sub on disk, not in the build: " + refusal + ": restart to apply\nlivepatch: nothing of this save was applied\n"; !strings.HasSuffix(got, want) {
			t.Errorf("save of main.go: %q, want it to end with %q", got, want)
		}
		env.checkReport(thread, "run 1")
		env.Disconnect()
	})
}

// TestLivePatchAcrossPackagesMethod saves a change that spans two packages
// through a method: package sub gains a method of its compiled type
// Counter, and the main package calls it (rs/cors v1.11.1: cors.go calls
// SortedSet.Accepts, which package internal adds). The main package's
// patches do not see what sub's declare, so the save of main.go is
// refused with that reason, not said to go live once its package
// type-checks, which it never would.
func TestLivePatchAcrossPackagesMethod(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livepkgs")
		thread := env.startLive(dir)
		editFile(t, dir, "sub/sub.go", "func (c *Counter) Add() int { c.n++; return c.n }",
			"func (c *Counter) Add() int { c.n++; return c.n }\n\n// Twice counts two.\nfunc (c *Counter) Twice() int { c.Add(); return c.Add() }")
		editFile(t, dir, "main.go", "return sub.Run(1)", "return sub.Run(counter.Twice())")
		got := env.waitConsole("counter.Twice undefined")
		want := "main.go:14:25: sub.Counter.Twice is declared by package sub on disk, not in the build: a change is planned one package at a time: restart to apply\n" +
			"livepatch: nothing of this save was applied\n"
		if !strings.HasSuffix(got, want) {
			t.Errorf("save of main.go: %q, want it to end with %q", got, want)
		}
		env.checkReport(thread, "run 1")
		env.Disconnect()
	})
}

// TestLivePatchImportOfDependency saves a file that imports a standard
// package the program links only as a dependency of another (unicode/utf8,
// through fmt): the type check finds it, but the interpreter has no
// symbols for it, so the save is refused with the reason and what to do,
// instead of failing in the program (go-chi/chi v5.5.0 imports mime).
func TestLivePatchImportOfDependency(t *testing.T) {
	const refusal = "package unicode/utf8 is linked into this program only as a dependency"
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livetypes")
		thread := env.startLive(dir)
		editFile(t, dir, "types.go", "import \"fmt\"", "import (\n\t\"fmt\"\n\t\"unicode/utf8\"\n)",
			"return fmt.Sprint(v) }", "return fmt.Sprint(v, utf8.RuneLen('x')) }")
		got := env.waitConsoleAny(refusal, "patched main.show", "nothing of this save was applied")
		if want := "types.go:5:2: " + refusal + ", and patched code reaches only the packages the program's own code imports as built: the native tier, which could build it, is off: restart to apply\nlivepatch: nothing of this save was applied\n"; got != want {
			t.Errorf("save of types.go: %q, want %q", got, want)
		}
		env.checkReport(thread, "woof WOOF 1")
		env.Disconnect()
	})
}
