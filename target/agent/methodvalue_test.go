package agent

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/target/agent/bintypes"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// callAdd calls the compiled (*counter).add, turning a panic into an error.
func callAdd(c *counter, d int) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.add(d), nil
}

// TestMethodValuesInReplacements patches (*counter).add with bodies that
// take method values and method expressions of compiled types, and checks
// that each computes what compiled code would instead of panicking inside
// the interpreter.
func TestMethodValuesInReplacements(t *testing.T) {
	resetPatches(t)
	tests := []struct {
		name, body string
		want       int
	}{
		{"method value", "mv := c.Inc\n\tmv()\n\treturn mv()", 2},
		{"method value to a compiled func", "return callTwice(c.Inc)", 2},
		{"method value to an interpreted func", "call := func(f func() int) int { return f() }\n\treturn call(c.Inc)", 1},
		{"method value in a typed var", "var f func() int = c.Inc\n\treturn f()", 1},
		{"method value with a value receiver", "c.Inc()\n\tf := c.Value\n\treturn f()", 1},
		{"method value of new(T)", "p := new(counter)\n\tf := p.Inc\n\tf()\n\treturn f() + d", 12},
		{"method value of &T{}", "p := &counter{}\n\tf := p.Inc\n\treturn f() + d", 11},
		{"method value in a slice of pointers", "s := []*counter{c}\n\tf := s[0].Inc\n\treturn f()", 1},
		{"method value of &v", "v := counter{}\n\tp := &v\n\tf := p.Inc\n\tf()\n\treturn v.Value()", 1},
		{"method value of &v in a helper", "return bump(*c) + c.Value()", 1},
		{"method expression", "f := (*counter).Inc\n\treturn f(c)", 1},
		{"method expression called", "return (*counter).Inc(c) + counter.Value(*c)", 2},
		{"method expression with a value receiver", "f := counter.Value\n\tc.Inc()\n\treturn f(*c)", 1},
		{"method value of a qualified type", "b := new(strings.Builder)\n\tw := b.WriteString\n\tw(\"abc\")\n\treturn b.Len()", 3},
		{"method expression of a qualified type", "var b strings.Builder\n\tn, _ := (*strings.Builder).WriteString(&b, \"ab\")\n\treturn n", 2},
		{"local shadowing the type", "counter := 3\n\tp := &counter\n\treturn *p", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "func (c *counter) add(d int) int {\n\t" + tt.body + "\n}"
			helper := "func bump(v counter) int { p := &v; f := p.Inc; f(); return v.Value() }"
			if err := Apply([]wire.Patch{{Ref: wire.Ref{Index: 0}, Source: src, Helpers: []string{helper}}}); err != nil {
				t.Fatalf("Apply:\n%s\n%v", src, err)
			}
			got, err := callAdd(&counter{}, 10)
			if err != nil || got != tt.want {
				t.Errorf("patched add(10) with\n%s\ngot %d, %v; want %d", src, got, err, tt.want)
			}
		})
	}
}

// TestMethodValuesInEval checks method values and method expressions of
// compiled types in evaluations, which share the rewriting with patches.
func TestMethodValuesInEval(t *testing.T) {
	resetPatches(t)
	ctx := context.Background()
	for _, tt := range []struct{ src, want string }{
		{"lpEvalC := new(counter); lpEvalF := lpEvalC.Inc; lpEvalF(); lpEvalF()", "2"},
		{"func lpEvalTwice(c *counter) int { f := c.Inc; f(); return f() }", ""},
		{"lpEvalTwice(&counter{})", "2"},
		{"(*counter).Inc(new(counter))", "1"},
	} {
		got, err := Eval(ctx, tt.src, testPkg)
		if err != nil || got.Value != tt.want {
			t.Errorf("Eval(%q): got %+v, %v; want %q", tt.src, got, err, tt.want)
		}
	}
}

// TestRewrittenSourcePositions checks that a compile error on a line the
// rewriting changed is reported at the column of the source as given.
func TestRewrittenSourcePositions(t *testing.T) {
	resetPatches(t)
	line := "\tp := new(counter); q := (*counter).Inc; return nosuch + q(p)"
	src := "func (c *counter) add(d int) int {\n" + line + "\n}"
	err := Apply([]wire.Patch{{Ref: wire.Ref{Index: 0}, Source: src, File: "/src/c.go", Line: 10}})
	want := fmt.Sprintf("/src/c.go:11:%d: ", strings.Index(line, "nosuch")+1)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("Apply: got %v, want an error at %s about nosuch", err, want)
	}

	// In an evaluation every line maps, the first one included, where
	// yaegi's columns count its own wrapping of the statements too (which
	// the host takes off).
	wrap := len("package main; func main() {")
	plain := "lpPosQ := 1; nosuch"
	if _, err := Eval(context.Background(), plain, testPkg); err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("1:%d: ", wrap+strings.Index(plain, "nosuch")+1)) {
		t.Fatalf("the interpreter's wrapping is not what the test expects: %v", err)
	}
	in := "lpPosP := new(counter); lpPosP.Inc(); nosuch"
	_, err = Eval(context.Background(), in, testPkg)
	want = fmt.Sprintf("1:%d: ", wrap+strings.Index(in, "nosuch")+1)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Eval: got %v, want an error starting with %s", err, want)
	}
}

// TestRewriteCompiled checks the rewritten text itself.
func TestRewriteCompiled(t *testing.T) {
	resetPatches(t)
	machine.mu.Lock()
	defer machine.mu.Unlock()
	i, err := interpreter()
	if err != nil {
		t.Fatal(err)
	}
	sc := bintypes.Scope{Pkgs: []string{testPkg}, Imports: map[string]string{"strings": "strings"}}
	src := "func (c *counter) f(x *codeError, b *strings.Builder) *counter {\n\tcounter := 1\n\t_ = *counter\n\treturn &counter{}\n}"
	got, edits, err := rewriteCompiled(i, src, sc)
	if err != nil {
		t.Fatal(err)
	}
	ptr := machine.bin.Name(reflect.PointerTo(reflect.TypeOf(counter{})), "")
	builder := machine.bin.Name(reflect.PointerTo(reflect.TypeOf(strings.Builder{})), "")
	// codeError's Error has a pointer receiver, so *codeError is rewritten
	// too. Below its declaration, the local counter shadows the type: the
	// dereference and the composite literal stay.
	codeErr := machine.bin.Name(reflect.PointerTo(reflect.TypeOf(codeError{})), "")
	want := "func (c lp_bin." + ptr + ") f(x lp_bin." + codeErr + ", b lp_bin." + builder + ") lp_bin." + ptr + " {\n\tcounter := 1\n\t_ = *counter\n\treturn &counter{}\n}"
	if got != want {
		t.Errorf("rewriteCompiled:\n got %q\nwant %q", got, want)
	}
	if len(edits) != 4 {
		t.Errorf("got %d edits, want 4", len(edits))
	}
	if strings.Count(got, "\n") != strings.Count(src, "\n") {
		t.Errorf("the rewriting changed the number of lines")
	}
}

// swapLogger makes the agent log into a buffer until the test ends.
func swapLogger(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	old := logger
	logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	t.Cleanup(func() { logger = old })
	return &buf
}

// TestInterpreterPanicReportedAndReraised makes the interpreter fail while
// it runs a replacement (a method value of a pointer taken with &s[0],
// whose type the rewriting cannot see, still trips yaegi) and checks that
// the compiled caller's recover sees it as a *Fault carrying the
// interpreter's message, that the agent logs it, naming the patched
// function, and that panics the program's own code raises are not logged.
// (The fixture's add is not registered under its traceback name, so it
// is not reverted here; fault_test.go checks the revert.)
func TestInterpreterPanicReportedAndReraised(t *testing.T) {
	resetPatches(t)
	log := swapLogger(t)
	mustApply(t, wire.Patch{Ref: wire.Ref{Index: 0}, Source: `func (c *counter) add(d int) int {
	s := []counter{{}}
	p := &s[0]
	mv := p.Inc
	return mv()
}`})
	for k := 0; k < 2; k++ {
		var r any
		func() {
			defer func() { r = recover() }()
			(&counter{}).add(1)
		}()
		if r == nil {
			t.Fatalf("call %d: the failing replacement did not panic", k)
		}
		if _, ok := r.(reflect.Value); ok {
			t.Errorf("call %d: recover saw yaegi's reflect.Value wrapper", k)
		}
		if f, ok := r.(*Fault); !ok || !strings.Contains(f.Msg, "reflect.Set") {
			t.Errorf("call %d: recover saw %T %q, want a *Fault with the interpreter's reflect.Set panic", k, r, fmt.Sprint(r))
		}
	}
	out := log.String()
	if n := strings.Count(out, "interpreter fault:"); n != 2 {
		t.Errorf("got %d reports, want one per call:\n%s", n, out)
	}
	if !strings.Contains(out, "(*counter).add") || !strings.Contains(out, "reflect.Set") {
		t.Errorf("report does not name the function and the panic:\n%s", out)
	}

	// A user panic and a compiled function's run-time error pass unlogged.
	log.Reset()
	mustApply(t,
		wire.Patch{Ref: wire.Ref{Index: 0}, Source: `func (c *counter) add(d int) int { return explode() }`},
		wire.Patch{Ref: wire.Ref{Index: 2}, Source: `func risky(x int) int { panic(&codeError{Code: x}) }`},
		wire.Patch{Ref: wire.Ref{Index: 1}, Source: `func greet(name string) string { panic(name) }`},
	)
	recovered := func(f func()) (r any) {
		defer func() { r = recover() }()
		f()
		return nil
	}
	if r := recovered(func() { (&counter{}).add(1) }); !isRuntimeError(r) {
		t.Errorf("compiled run-time error: got %T %v, want a runtime.Error", r, r)
	}
	if r, ok := recovered(func() { risky(4) }).(*codeError); !ok || r.Code != 4 {
		t.Errorf("user panic through Call: got %v", r)
	}
	if r := recovered(func() { greet("x") }); r != "x" {
		t.Errorf("user panic through Repanic: got %v", r)
	}
	if out := log.String(); out != "" {
		t.Errorf("panics of the program's code were logged:\n%s", out)
	}
}

func isRuntimeError(r any) bool {
	_, ok := r.(runtime.Error)
	return ok
}
