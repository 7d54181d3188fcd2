package agent

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/livepatch/livepatch/target/agent/wire"
)

func TestEval(t *testing.T) {
	resetPatches(t)
	ctx := context.Background()
	tests := []struct {
		src, pkg   string
		value, typ string
	}{
		{src: "1 + 2", value: "3", typ: "int"},
		{src: `x := "a"; x + "b"`, value: `"ab"`, typ: "string"},
		{src: "x", value: `"a"`, typ: "string"},
		{src: "secretBase + 1", pkg: testPkg, value: "1001", typ: "int"},
		{src: "greet(\"ann\")", pkg: testPkg, value: `"hello ann"`, typ: "string"},
		{src: "y := 3", value: "", typ: ""},
	}
	for _, tt := range tests {
		got, err := Eval(ctx, tt.src, tt.pkg)
		if err != nil {
			t.Errorf("Eval(%q): %v", tt.src, err)
			continue
		}
		if got.Value != tt.value || got.Type != tt.typ {
			t.Errorf("Eval(%q): got %q (%s), want %q (%s)", tt.src, got.Value, got.Type, tt.value, tt.typ)
		}
	}
}

func TestEvalPanicAndError(t *testing.T) {
	ctx := context.Background()
	_, err := Eval(ctx, `panic(errors.New("bad"))`, "")
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want *PanicError", err)
	}
	if e, ok := pe.Value.(error); !ok || e.Error() != "bad" {
		t.Errorf("panic value: got %T %#v", pe.Value, pe.Value)
	}
	// An index out of range, which yaegi takes through reflect, is the
	// run-time error Go raises, not reflect's message.
	_, err = Eval(ctx, "xs := []int{}\nxs[3]", "")
	if !errors.As(err, &pe) {
		t.Fatalf("index out of range: got %v, want *PanicError", err)
	}
	if e, ok := pe.Value.(runtime.Error); !ok || e.Error() != "runtime error: index out of range" {
		t.Errorf("index out of range: panic value %T %#v", pe.Value, pe.Value)
	}
	if _, err := Eval(ctx, "nosuchname + 1", ""); err == nil {
		t.Errorf("undefined name: got no error")
	}
	if _, err := Eval(ctx, "1", "example.com/notlinked"); err == nil {
		t.Errorf("unknown package: got no error")
	}
}

// TestEvalTimeLimit checks that a runaway snippet is stopped and that
// published patches keep working afterwards.
func TestEvalTimeLimit(t *testing.T) {
	resetPatches(t)
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: testPkg + ".greet"}, Source: `func greet(name string) string { return "patched " + name }`})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Eval(ctx, "for {}", "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("runaway loop: got %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stopping took %v", d)
	}
	if got := greet("x"); got != "patched x" {
		t.Errorf("patch after a stopped eval: got %q, want %q", got, "patched x")
	}
	if got, err := Eval(context.Background(), "2 * 21", ""); err != nil || got.Value != "42" {
		t.Errorf("eval after a stopped eval: got %q, %v", got.Value, err)
	}
}
