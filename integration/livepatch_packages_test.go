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
