package agent

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// TestPanicReportInUserTerms checks the lines the interpreter writes for a
// panic that passes through a patched function: they name the function as
// the program knows it, at its line in the saved file, not the scratch
// package, its generated name and a position in generated source.
func TestPanicReportInUserTerms(t *testing.T) {
	resetPatches(t)
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: testPkg + ".risky"}, File: "risky.go", Line: 40, Source: `func risky(x int) int {
	if x == 1 {
		panic("one")
	}
	return x
}`})
	machine.stderr.capture()
	func() {
		defer func() { recover() }()
		risky(1)
	}()
	out := machine.stderr.release()
	// yaegi does not tell the line that ran: the report is at the
	// declaration's, and says so.
	m := regexp.MustCompile(`^risky\.go:(\d+): panic: (.*)\(\.\.\.\) (.*)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("panic report %q: want risky.go:LINE: panic: NAME(...) NOTE", out)
	}
	if line, _ := strconv.Atoi(m[1]); line != 40 || m[3] != wire.InterpretedAtDecl {
		t.Errorf("panic report %q: want the declaration's line 40, marked %q", out, wire.InterpretedAtDecl)
	}
	if want := displayKey(testPkg + ".risky"); m[2] != want {
		t.Errorf("panic report names %q, want %q", m[2], want)
	}
	if strings.Contains(out, "lp_patch") || strings.Contains(out, "LpFn") {
		t.Errorf("panic report shows generated names: %s", out)
	}
}
