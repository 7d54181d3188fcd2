package agent

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// This file plays the builder for interfaces whose wrappers it generates
// (patcher/ifacewrap.go): the wrapper types below are written the way the
// generated file writes them, and registered the same way.

// walker has a variadic method with two results and an unexported method;
// tracer embeds it and names an unexported type of the package.
type (
	walker interface {
		Walk(steps ...int) (int, error)
		name() string
	}
	tracer interface {
		walker
		Trace(n *waypoint) []string
	}
	// bareShape is an interface without a generated wrapper: it keeps the
	// agent's stand-in.
	bareShape interface{ Area() int }
)

type waypoint struct{ label string }

// stroll is compiled code that calls a walker's methods.
func stroll(w walker) string {
	if w == nil {
		return "nobody"
	}
	n, err := w.Walk(1, 2, 3)
	return fmt.Sprintf("%s walked %d (%v)", w.name(), n, err)
}

// follow is compiled code that calls every method of a tracer.
func follow(t tracer) string {
	n, _ := t.Walk()
	return fmt.Sprintf("%s %d %v", t.name(), n, t.Trace(&waypoint{"x"}))
}

// bareArea is compiled code taking the interface without a wrapper.
func bareArea(s bareShape) int {
	if s == nil {
		return -1
	}
	return s.Area()
}

// lp_I_walker is the generated wrapper of walker.
type lp_I_walker struct {
	IValue interface{}
	WWalk  func(...int) (int, error)
	Wname  func() string
}

func (lp_w lp_I_walker) Walk(lp_a0 ...int) (int, error) { return lp_w.WWalk(lp_a0...) }

func (lp_w lp_I_walker) name() string { return lp_w.Wname() }

// lp_I_tracer is the generated wrapper of tracer: the full method set.
type lp_I_tracer struct {
	IValue interface{}
	WTrace func(*waypoint) []string
	WWalk  func(...int) (int, error)
	Wname  func() string
}

func (lp_w lp_I_tracer) Trace(lp_a0 *waypoint) []string { return lp_w.WTrace(lp_a0) }

func (lp_w lp_I_tracer) Walk(lp_a0 ...int) (int, error) { return lp_w.WWalk(lp_a0...) }

func (lp_w lp_I_tracer) name() string { return lp_w.Wname() }

// lp_ID0_Writer is the generated wrapper of io.Writer, a dependency's
// interface, which the root package declares.
type lp_ID0_Writer struct {
	IValue interface{}
	WWrite func([]byte) (int, error)
}

func (lp_w lp_ID0_Writer) Write(lp_a0 []byte) (int, error) { return lp_w.WWrite(lp_a0) }

var lp_ifaces = [...][2]interface{}{
	{(*walker)(nil), (*lp_I_walker)(nil)},
	{(*tracer)(nil), (*lp_I_tracer)(nil)},
	{(*io.Writer)(nil), (*lp_ID0_Writer)(nil)},
}

type (
	lpFn40 = func() string
	lpFn41 = func() string
	lpFn42 = func() int
	lpFn43 = func() string
	lpFn44 = func() int
)

func walkIt() string {
	if f, ok := dispatch(40).(lpFn40); ok {
		return f()
	}
	return "not patched"
}

func traceIt() string {
	if f, ok := dispatch(41).(lpFn41); ok {
		return f()
	}
	return "not patched"
}

func bareIt() int {
	if f, ok := dispatch(42).(lpFn42); ok {
		return f()
	}
	return 0
}

func writeIt() string {
	if f, ok := dispatch(43).(lpFn43); ok {
		return f()
	}
	return "not patched"
}

// stepper is an interface of a package registered after the interpreter
// exists, whose wrapper is registered later still.
type stepper interface{ Step() int }

func stepTwice(s stepper) int { return s.Step() + s.Step() }

// lp_I_stepper is the generated wrapper of stepper.
type lp_I_stepper struct {
	IValue interface{}
	WStep  func() int
}

func (lp_w lp_I_stepper) Step() int { return lp_w.WStep() }

func stepIt() int {
	if f, ok := dispatch(44).(lpFn44); ok {
		return f()
	}
	return 0
}

func init() {
	RegisterInterfaceWrappers(lp_ifaces[:])
	RegisterPackage("fmt", "fmt", map[string]reflect.Value{
		"Errorf":  reflect.ValueOf(fmt.Errorf),
		"Fprintf": reflect.ValueOf(fmt.Fprintf),
		"Sprint":  reflect.ValueOf(fmt.Sprint),
	})
	RegisterPackage("io", "io", map[string]reflect.Value{"Writer": reflect.ValueOf((*io.Writer)(nil))})
	RegisterPackage(crashPkg, "agent", map[string]reflect.Value{
		"walker":    reflect.ValueOf((*walker)(nil)),
		"tracer":    reflect.ValueOf((*tracer)(nil)),
		"bareShape": reflect.ValueOf((*bareShape)(nil)),
		"waypoint":  reflect.ValueOf((*waypoint)(nil)),
		"stroll":    reflect.ValueOf(stroll),
		"follow":    reflect.ValueOf(follow),
		"bareArea":  reflect.ValueOf(bareArea),
		// The accessors of the unexported method and field.
		"lpMethod_walker_name":   reflect.ValueOf(func(x walker) func() string { return x.name }),
		"lpField_waypoint_label": reflect.ValueOf(func(w *waypoint) *string { return &w.label }),
	})
	RegisterFunc(40, crashPkg+".walkIt", Wrapper(reflect.TypeOf((lpFn40)(nil))))
	RegisterFunc(41, crashPkg+".traceIt", Wrapper(reflect.TypeOf((lpFn41)(nil))))
	RegisterFunc(42, crashPkg+".bareIt", Wrapper(reflect.TypeOf((lpFn42)(nil))))
	RegisterFunc(43, crashPkg+".writeIt", Wrapper(reflect.TypeOf((lpFn43)(nil))))
	RegisterFunc(44, crashPkg+".stepIt", Wrapper(reflect.TypeOf((lpFn44)(nil))))
}

// TestInterpretedTypeAsCompiledInterface patches functions that declare a
// type with methods and pass its values to compiled functions taking the
// package's interfaces, through their generated wrappers: the compiled
// code calls the interpreted methods (variadic, with two results,
// unexported, embedded through another interface, naming an unexported
// type of the package), nil still arrives as nil, and a standard library
// interface works the same way.
func TestInterpretedTypeAsCompiledInterface(t *testing.T) {
	resetPatches(t)
	mustApply(t,
		wire.Patch{
			Ref: wire.Ref{Key: crashPkg + ".walkIt"},
			Source: `func walkIt() string {
	var w walker = strider{"ann"}
	return stroll(w) + "; " + stroll(&strider{"bob"}) + "; " + stroll(nil)
}`,
			Imports: []string{`"fmt"`},
			Helpers: []string{
				`type strider struct{ who string }`,
				`func (s strider) Walk(steps ...int) (int, error) {
	n := 0
	for _, k := range steps {
		n += k
	}
	if n == 0 {
		return 0, fmt.Errorf("%s stood still", s.who)
	}
	return n, nil
}`,
				`func (s strider) name() string { return s.who }`,
			},
		},
		wire.Patch{
			Ref:     wire.Ref{Key: crashPkg + ".traceIt"},
			Source:  `func traceIt() string { return follow(&hound{"rex"}) }`,
			Imports: []string{`"fmt"`},
			Helpers: []string{
				`type hound struct{ who string }`,
				`func (h *hound) Walk(steps ...int) (int, error) { return len(steps), fmt.Errorf("sniffing") }`,
				`func (h *hound) name() string { return h.who }`,
				`func (h *hound) Trace(p *waypoint) []string { return []string{h.who, *lpField_waypoint_label(p)} }`,
			},
		},
		wire.Patch{
			Ref: wire.Ref{Key: crashPkg + ".writeIt"},
			Source: `func writeIt() string {
	c := &tally{}
	fmt.Fprintf(c, "%d-%s", 42, "go")
	return fmt.Sprint(c.n)
}`,
			Helpers: []string{
				`type tally struct{ n int }`,
				`func (t *tally) Write(p []byte) (int, error) { t.n += len(p); return len(p), nil }`,
			},
		},
	)
	if got, want := walkIt(), "ann walked 6 (<nil>); bob walked 6 (<nil>); nobody"; got != want {
		t.Errorf("walkIt: got %q, want %q", got, want)
	}
	if got, want := traceIt(), "rex 0 [rex x]"; got != want {
		t.Errorf("traceIt: got %q, want %q", got, want)
	}
	if got, want := writeIt(), "5"; got != want {
		t.Errorf("writeIt: got %q, want %q (bytes written through io.Writer)", got, want)
	}
}

// TestConversionWithoutWrapperRefused checks the fallback: a value of a
// type the patch declares, converted to an interface that has only the
// agent's stand-in, is refused when the patch compiles, naming the
// interface, instead of panicking when it runs; nil still converts.
func TestConversionWithoutWrapperRefused(t *testing.T) {
	resetPatches(t)
	err := Apply([]wire.Patch{{
		Ref:     wire.Ref{Key: crashPkg + ".bareIt"},
		Source:  `func bareIt() int { return bareArea(disc{}) }`,
		Helpers: []string{`type disc struct{}`, `func (disc) Area() int { return 3 }`},
	}})
	if err == nil || !strings.Contains(err.Error(), "has no interface wrapper in this build") || !strings.HasSuffix(err.Error(), ".bareShape") {
		t.Fatalf("Apply: got %v, want a refusal naming bareShape's missing wrapper", err)
	}
	if got := bareIt(); got != 0 {
		t.Errorf("bareIt after the refusal: got %d, want 0 (compiled)", got)
	}
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: crashPkg + ".bareIt"}, Source: `func bareIt() int { return bareArea(nil) }`})
	if got := bareIt(); got != -1 {
		t.Errorf("bareIt with nil: got %d, want -1", got)
	}
}

// TestLateGeneratedWrapper registers an interface's package after the
// interpreter exists, which gives the interface a stand-in, then its
// generated wrapper, which replaces the stand-in: a value of a type the
// patch declares then converts.
func TestLateGeneratedWrapper(t *testing.T) {
	resetPatches(t)
	machine.mu.Lock()
	_, err := interpreter()
	machine.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	RegisterPackage(crashPkg, "agent", map[string]reflect.Value{
		"stepper":   reflect.ValueOf((*stepper)(nil)),
		"stepTwice": reflect.ValueOf(stepTwice),
	})
	patch := wire.Patch{
		Ref:     wire.Ref{Key: crashPkg + ".stepIt"},
		Source:  `func stepIt() int { return stepTwice(&pacer{}) }`,
		Helpers: []string{`type pacer struct{ n int }`, `func (p *pacer) Step() int { p.n++; return p.n }`},
	}
	if err := Apply([]wire.Patch{patch}); err == nil || !strings.Contains(err.Error(), "has no interface wrapper in this build") || !strings.HasSuffix(err.Error(), ".stepper") {
		t.Fatalf("Apply before the wrapper is registered: got %v, want a refusal naming stepper", err)
	}
	RegisterInterfaceWrappers([][2]any{{(*stepper)(nil), (*lp_I_stepper)(nil)}})
	mustApply(t, patch)
	if got := stepIt(); got != 3 {
		t.Errorf("stepIt: got %d, want 3 (1 + 2 from one pacer)", got)
	}
}

// TestEmbeddedCompiledInterfaceRefused checks that a struct type that
// embeds a compiled interface, which yaegi cannot pass as an interface, is
// refused before it compiles, in a helper or in the source, while
// embedding a compiled pointer type works.
func TestEmbeddedCompiledInterfaceRefused(t *testing.T) {
	resetPatches(t)
	for _, tc := range []struct {
		p          wire.Patch
		want, name string // the refusal, position first, and the interface it names
	}{
		{wire.Patch{Source: `func writeIt() string { return stroll(boxed{nil}) }`, Helpers: []string{"type boxed struct{ walker }"}},
			"helpers: 1:20: a struct type embedding a compiled interface:", "interface is agent.walker"},
		{wire.Patch{Source: "func writeIt() string {\n\tvar b strings.Builder\n\tfmt.Fprintf(struct{ io.Writer }{&b}, \"x\")\n\treturn b.String()\n}"},
			"3:22: a struct type embedding a compiled interface:", "interface is io.Writer"},
		{wire.Patch{Source: `func writeIt() string { return fmt.Sprint(failure{}) }`, Helpers: []string{"type failure struct {\n\tn int\n\terror\n}"}},
			"helpers: 3:2: a struct type embedding a compiled interface:", "interface is error"},
	} {
		tc.p.Ref = wire.Ref{Key: crashPkg + ".writeIt"}
		tc.p.Imports = []string{`"fmt"`, `"io"`, `"strings"`}
		if err := Apply([]wire.Patch{tc.p}); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasSuffix(err.Error(), tc.name) {
			t.Errorf("Apply of %q with helpers %q: got %v, want a refusal %q naming %s", tc.p.Source, tc.p.Helpers, err, tc.want, tc.name)
		}
	}
	mustApply(t, wire.Patch{
		Ref: wire.Ref{Key: crashPkg + ".writeIt"},
		Source: `func writeIt() string {
	var b strings.Builder
	fmt.Fprintf(struct{ *strings.Builder }{&b}, "x%d", 1)
	return b.String()
}`,
		Imports: []string{`"fmt"`, `"strings"`},
	})
	if got := writeIt(); got != "x1" {
		t.Errorf("writeIt through an embedded *strings.Builder: got %q, want x1", got)
	}
}
