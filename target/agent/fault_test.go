package agent

import (
	"strings"
	"testing"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// recoverFrom runs f and returns what it panicked with.
func recoverFrom(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

type lpFn80 = func(int) int

// faulty is a patchable function of this package, registered under its
// real name, as the agent finds a patched function by its frame.
func faulty(x int) int {
	if f, ok := dispatch(80).(lpFn80); ok {
		return f(x)
	}
	return x
}

func init() {
	RegisterFunc(80, crashPkg+".faulty", Func1_1((lpFn80)(nil)))
}

// TestFaultRevertsTheFunction makes the interpreter fail at run time in a
// replacement (a composite literal of a compiled struct type with an
// unexported field, element type elided: yaegi sets the field through
// reflect, which refuses) and checks that the call panics with a *Fault
// naming the function, its place and the interpreter's message, and that
// the function runs compiled from then on.
func TestFaultRevertsTheFunction(t *testing.T) {
	resetPatches(t)
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: crashPkg + ".faulty"}, File: "/src/faulty.go", Line: 12, Source: `func faulty(x int) int {
	ss := []square{{side: x}}
	return len(ss) * 100
}`})
	r := recoverFrom(func() { faulty(3) })
	f, ok := r.(*Fault)
	if !ok {
		t.Fatalf("risky(3) panicked with %T %v, want a *Fault", r, r)
	}
	if f.Func != crashPkg+".faulty" || f.Pos != "/src/faulty.go:12" || !strings.Contains(f.Msg, "unexported field") {
		t.Errorf("fault: %+v", f)
	}
	if msg := f.Error(); !strings.Contains(msg, "not a bug in your code") {
		t.Errorf("fault message %q does not say it is livepatch's limitation", msg)
	}
	if got := faulty(3); got != 3 {
		t.Errorf("faulty(3) after the fault: got %d, want the compiled body's 3", got)
	}
	for _, p := range Patched() {
		if p.Key == crashPkg+".faulty" {
			t.Errorf("faulty is still listed as patched after its fault")
		}
	}
}

// TestRuntimeErrorIsNotAFault checks that a run-time error of the
// replacement's own code raised inside the interpreter goes on as in
// compiled code, and the function stays patched.
func TestRuntimeErrorIsNotAFault(t *testing.T) {
	resetPatches(t)
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: testPkg + ".risky"}, Source: `func risky(x int) int {
	if x == 1 {
		var m map[string]int
		m["x"] = 1
	}
	if x == 2 {
		var s []int
		return s[x]
	}
	if x == 3 {
		var c *counter
		return c.Value()
	}
	if x == 4 {
		type box struct{ v int }
		var b *box
		return b.v
	}
	if x == 5 {
		return 10 / (x - 5)
	}
	if x == 6 {
		s := []int{1, 2}
		return len(s[1:x])
	}
	if x == 7 {
		var c *counter
		return *lpField_counter_n(c)
	}
	return x * 2
}`})
	for x := 1; x <= 7; x++ {
		r := recoverFrom(func() { risky(x) })
		if _, ok := r.(*Fault); ok || r == nil {
			t.Errorf("risky(%d) panicked with %T %v, want the run-time error", x, r, r)
		}
	}
	if got := risky(8); got != 16 {
		t.Errorf("risky(8): got %d, want 16 (still patched)", got)
	}
}
