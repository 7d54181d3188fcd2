package agent

import (
	"context"
	"errors"
	"testing"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// TestApplyVars checks the home of new package variables: made and
// initialized once, when the first set that declares them applies; shared
// by every patch of the package, in later sets too, and by evaluations; a
// set whose initializer panics applies nothing.
func TestApplyVars(t *testing.T) {
	resetPatches(t)
	// The package's scope is in the evaluations' before the variable is.
	if _, err := Eval(context.Background(), "secretBase", testPkg); err != nil {
		t.Fatal(err)
	}
	visits := []wire.Var{{Names: []string{"lpVisits", "_"}, Types: []string{"int", ""}, Spec: "lpVisits, _ = 40 + 2, 0"}}
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: testPkg + ".risky"}, Vars: visits,
		Source: `func(x int) int { (*lpAddr_lpVisits)++; return *lpAddr_lpVisits }`})
	if got := risky(0); got != 43 {
		t.Fatalf("first call: got %d, want 43", got)
	}
	// A later set that declares the variable again, with another function
	// that uses it: the variable keeps its value.
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: testPkg + ".greet"}, Vars: visits, Source: `func(name string) string { (*lpAddr_lpVisits) += len(name); return name }`})
	if got := greet("abc"); got != "abc" {
		t.Errorf("second set: got %q, want abc", got)
	}
	if got := risky(0); got != 47 {
		t.Errorf("after the second set: got %d, want 47", got)
	}
	res, err := Eval(context.Background(), "*lpAddr_lpVisits = 100; *lpAddr_lpVisits", testPkg)
	if err != nil || res.Value != "100" {
		t.Errorf("eval: got %+v, %v, want 100", res, err)
	}
	if got := risky(0); got != 101 {
		t.Errorf("after the eval: got %d, want 101", got)
	}
	// A panicking initializer refuses its set; nothing of it applies.
	bad := []wire.Var{{Names: []string{"lpBad"}, Types: []string{"int"}, Spec: `lpBad = func() int { panic("no") }()`}}
	err = Apply([]wire.Patch{{Ref: wire.Ref{Key: testPkg + ".greet"}, Vars: bad, Source: `func(name string) string { return name + "!" }`}})
	var ae *ApplyError
	if !errors.As(err, &ae) || ae.Failures[0].Kind != wire.ErrPanic {
		t.Fatalf("panicking initializer: got %v, want a panic failure", err)
	}
	if got := greet("x"); got != "x" {
		t.Errorf("after the refused set: got %q, want x (the second set's)", got)
	}
}
