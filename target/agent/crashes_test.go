package agent

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// This file plays the builder for a second package, whose replacements
// yaegi v0.16.1 failed to compile: nil converted to compiled interface
// types (package ifacewrap) and unsafe (interpreter.go).

// crashPkg is registered under this package's own path, which is its
// types' reflect.Type.PkgPath, as a user package's is.
var crashPkg = reflect.TypeOf(square{}).PkgPath()

// shape is an interface of the package; shaper an unexported one.
type (
	shape  interface{ Area() int }
	shaper interface{ scale(k int) shape }
)

type square struct{ side int }

func (s square) Area() int { return s.side * s.side }

func (s square) scale(k int) shape { return square{s.side * k} }

// lateShape is an interface type that only a package registered late
// names.
type lateShape interface{ Area() int }

func lateArea(s lateShape) int {
	if s == nil {
		return -2
	}
	return s.Area()
}

// areaOf is a compiled function with a parameter of interface type.
func areaOf(s shape) int {
	if s == nil {
		return -1
	}
	return s.Area()
}

type (
	lpFn20 = func([]shape) (shape, error)
	lpFn21 = func(string) io.Reader
	lpFn22 = func(shape) shaper
	lpFn23 = func() int
	lpFn24 = func(*[8]byte, int) (uint16, uintptr)
)

// dispatch returns the replacement of function index when one is
// published (the value a generated prologue finds in its slot).
func dispatch(index int) any {
	if t := Load(); t != nil && index < len(t.Fns) {
		return t.Fns[index]
	}
	return nil
}

func largest(shapes []shape) (shape, error) {
	if f, ok := dispatch(20).(lpFn20); ok {
		return f(shapes)
	}
	return nil, errors.New("not patched")
}

func readerOf(s string) io.Reader {
	if f, ok := dispatch(21).(lpFn21); ok {
		return f(s)
	}
	return strings.NewReader("not patched")
}

func scaled(s shape) shaper {
	if f, ok := dispatch(22).(lpFn22); ok {
		return f(s)
	}
	return square{}
}

func zeroArea() int {
	if f, ok := dispatch(23).(lpFn23); ok {
		return f()
	}
	return 0
}

func field(buf *[8]byte, off int) (uint16, uintptr) {
	if f, ok := dispatch(24).(lpFn24); ok {
		return f(buf, off)
	}
	return 0, 0
}

var errNoShape = errors.New("no shape")

func init() {
	RegisterPackage("io", "io", map[string]reflect.Value{"Reader": reflect.ValueOf((*io.Reader)(nil))})
	RegisterPackage("strings", "strings", map[string]reflect.Value{"NewReader": reflect.ValueOf(strings.NewReader)})
	RegisterPackage(crashPkg, "agent", map[string]reflect.Value{
		"shape":                 reflect.ValueOf((*shape)(nil)),
		"shaper":                reflect.ValueOf((*shaper)(nil)),
		"square":                reflect.ValueOf((*square)(nil)),
		"areaOf":                reflect.ValueOf(areaOf),
		"errNoShape":            reflect.ValueOf(&errNoShape).Elem(),
		"lpMethod_shaper_scale": reflect.ValueOf(func(x shaper) func(int) shape { return x.scale }),
	})
	RegisterFunc(20, crashPkg+".largest", Wrapper(reflect.TypeOf((lpFn20)(nil))))
	RegisterFunc(21, crashPkg+".readerOf", Wrapper(reflect.TypeOf((lpFn21)(nil))))
	RegisterFunc(22, crashPkg+".scaled", Wrapper(reflect.TypeOf((lpFn22)(nil))))
	RegisterFunc(23, crashPkg+".zeroArea", Wrapper(reflect.TypeOf((lpFn23)(nil))))
	RegisterFunc(24, crashPkg+".field", Wrapper(reflect.TypeOf((lpFn24)(nil))))
}

// TestNilAsCompiledInterface patches functions that convert nil to
// compiled interface types, which yaegi compiles through a wrapper type
// the builder's tables lack: a result of the package's interface, of an
// unexported one and of a standard library one, and an argument.
func TestNilAsCompiledInterface(t *testing.T) {
	resetPatches(t)
	mustApply(t,
		wire.Patch{Ref: wire.Ref{Key: crashPkg + ".largest"}, Source: `func largest(shapes []shape) (shape, error) {
	if len(shapes) == 0 {
		return nil, errNoShape
	}
	return shapes[0], nil
}`},
		wire.Patch{Ref: wire.Ref{Key: crashPkg + ".readerOf"}, Source: `func readerOf(s string) io.Reader {
	if s == "" {
		return nil
	}
	return strings.NewReader(s)
}`},
		// The host writes a comma-ok assertion to an interface as a type
		// switch (prompt/workaround.go).
		wire.Patch{Ref: wire.Ref{Key: crashPkg + ".scaled"}, Source: `func scaled(s shape) shaper {
	switch sc := s.(type) {
	case shaper:
		return lpMethod_shaper_scale(sc)(2).(shaper)
	}
	return nil
}`},
		wire.Patch{Ref: wire.Ref{Key: crashPkg + ".zeroArea"}, Source: `func zeroArea() int { return areaOf(nil) }`},
	)
	if s, err := largest(nil); s != nil || !errors.Is(err, errNoShape) {
		t.Errorf("largest(nil): got %v, %v; want nil, errNoShape", s, err)
	}
	if s, err := largest([]shape{square{3}}); err != nil || s.Area() != 9 {
		t.Errorf("largest: got %v, %v; want area 9", s, err)
	}
	if r := readerOf(""); r != nil {
		t.Errorf("readerOf(\"\"): got %#v, want nil", r)
	}
	if b, err := io.ReadAll(readerOf("abc")); err != nil || string(b) != "abc" {
		t.Errorf("readerOf(abc): read %q, %v", b, err)
	}
	if sc := scaled(nil); sc != nil {
		t.Errorf("scaled(nil): got %#v, want nil", sc)
	}
	if sc := scaled(square{1}); sc == nil || sc.scale(1).Area() != 4 {
		t.Errorf("scaled(square{1}): got %#v, want area 4", sc)
	}
	if got := zeroArea(); got != -1 {
		t.Errorf("zeroArea: got %d, want -1 (areaOf(nil))", got)
	}
}

// TestInterpretedValueAsCompiledInterface checks what the stand-in
// wrapper cannot do: an interpreted type's value passed as a compiled
// interface that has no generated wrapper is refused when the patch
// compiles, naming the interface, instead of reaching compiled code as
// something else or panicking at run time (ifacewrap_test.go has the
// generated wrappers' side).
func TestInterpretedValueAsCompiledInterface(t *testing.T) {
	resetPatches(t)
	err := Apply([]wire.Patch{{
		Ref:     wire.Ref{Key: crashPkg + ".zeroArea"},
		Source:  `func zeroArea() int { return areaOf(circle{}) }`,
		Helpers: []string{`type circle struct{}`, `func (circle) Area() int { return 3 }`},
	}})
	if err == nil || !strings.Contains(err.Error(), "has no interface wrapper") || !strings.HasSuffix(err.Error(), ": "+crashPkg+".shape") {
		t.Errorf("Apply of zeroArea with an interpreted shape: got %v; want a refusal naming shape", err)
	}
	if got := zeroArea(); got != 0 {
		t.Errorf("zeroArea after the refusal: got %d, want 0 (compiled)", got)
	}
}

// TestLateInterfaceWrappers registers a package after the interpreter
// exists and converts nil to its interface type.
func TestLateInterfaceWrappers(t *testing.T) {
	machine.mu.Lock()
	_, err := interpreter()
	machine.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	const late = "example.com/lplate"
	RegisterPackage(late, "lplate", map[string]reflect.Value{
		"lateShape": reflect.ValueOf((*lateShape)(nil)),
		"LateArea":  reflect.ValueOf(lateArea),
	})
	for src, want := range map[string]string{
		"LateArea(nil)": "-2",
		"LateArea(func() lateShape { return nil }())": "-2",
	} {
		got, err := Eval(t.Context(), src, late)
		if err != nil || got.Value != want {
			t.Errorf("%s in a late package: got %q, %v; want %s", src, got.Value, err, want)
		}
	}
}

// TestUnsafeInReplacement patches a function that reads memory through
// unsafe.Pointer, as compiled code does.
func TestUnsafeInReplacement(t *testing.T) {
	resetPatches(t)
	mustApply(t, wire.Patch{
		Ref: wire.Ref{Key: crashPkg + ".field"},
		Source: `func field(buf *[8]byte, off int) (uint16, uintptr) {
	p := (*[2]byte)(unsafe.Pointer(&(*buf)[off]))
	return uint16(p[0]) | uint16(p[1])<<8, unsafe.Sizeof(*buf)
}`,
		Imports: []string{`"unsafe"`},
	})
	buf := [8]byte{0, 0x34, 0x12}
	if v, size := field(&buf, 1); v != 0x1234 || size != 8 {
		t.Errorf("field: got %#x, %d; want 0x1234, 8", v, size)
	}
}
