package agent

import (
	"strings"
	"testing"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// TestAssertionWithoutWrapperRefused checks that a type assertion and a
// type switch case to an interface that has only the agent's stand-in are
// refused when the patch set declares a type with methods, which would
// panic there when it runs, and pass when it declares none.
func TestAssertionWithoutWrapperRefused(t *testing.T) {
	resetPatches(t)
	helpers := []string{`type disc struct{}`, `func (disc) Area() int { return 3 }`}
	for _, src := range []string{
		`func bareIt() int { var x any = disc{}; if s, ok := x.(bareShape); ok { return s.Area() }; return 0 }`,
		"func bareIt() int {\n\tvar x any = disc{}\n\tswitch s := x.(type) {\n\tcase bareShape:\n\t\treturn s.Area()\n\t}\n\treturn 0\n}",
	} {
		err := Apply([]wire.Patch{{Ref: wire.Ref{Key: crashPkg + ".bareIt"}, Source: src, Helpers: helpers}})
		if err == nil || !strings.Contains(err.Error(), "type assertion to "+crashPkg+".bareShape, a compiled interface without an interface wrapper") {
			t.Errorf("Apply %q: got %v, want the assertion refused", src, err)
		}
	}
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: crashPkg + ".bareIt"}, Source: `func bareIt() int { var x any = 1; if _, ok := x.(bareShape); ok { return 1 }; return 2 }`})
	if got := bareIt(); got != 2 {
		t.Errorf("bareIt without interpreted types: got %d, want 2", got)
	}
}
