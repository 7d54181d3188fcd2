package change

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// assertAnySrc asserts values to the empty interface in a type switch
// with and without a bound variable, in a comma-ok assertion and in a
// plain one, as the fixture integration/testdata/fidelity/lang/typeswitch.go
// does (without its imports, to run in a bare interpreter), and to a type
// parameter whose constraint is any (spf13/cast's Must), which is not the
// empty interface.
const assertAnySrc = `package wa

func AnyKind(x any) string {
	switch x.(type) {
	case string:
		return "string"
	case any:
		return "any"
	}
	return "nil"
}

func AnyOf(x any, viaSwitch bool) (any, bool) {
	if viaSwitch {
		switch v := x.(type) {
		case interface{}:
			return v, true
		}
	}
	v, ok := x.(any)
	return v, ok
}

func ErrorAsAny(err error) any {
	return err.(any)
}

func Must[T any](i any, err error) T {
	if err != nil {
		panic(err)
	}
	return i.(T)
}

func IsOf[T any](x any) (bool, bool) {
	_, ok := x.(T)
	switch x.(type) {
	case T:
		return ok, true
	case any:
		return ok, false
	}
	return ok, false
}
`

// TestRewriteAssertToEmptyInterface runs the rewritten functions of
// assertAnySrc on values of compiled types, which yaegi v0.16.1 never
// asserts to the empty interface as they are written.
func TestRewriteAssertToEmptyInterface(t *testing.T) {
	src, err := rewrittenFuncs(t, assertAnySrc, "AnyKind", "AnyOf", "ErrorAsAny", "Must", "IsOf")
	if err != nil {
		t.Fatal(err)
	}
	src["lpTP_0"] = "type lpTP_0 = int" // the instantiation at int, as the agent compiles it
	i := interpret(t, src)
	eof := errors.New("EOF")
	for _, tt := range []struct {
		name string
		args []any
		want []any
	}{
		{"AnyKind", []any{"s"}, []any{"string"}},
		{"AnyKind", []any{1}, []any{"any"}},
		{"AnyKind", []any{eof}, []any{"any"}},
		{"AnyKind", []any{nil}, []any{"nil"}},
		{"AnyOf", []any{7, true}, []any{7, true}},
		{"AnyOf", []any{7, false}, []any{7, true}},
		{"AnyOf", []any{nil, true}, []any{nil, false}},
		{"AnyOf", []any{nil, false}, []any{nil, false}},
		{"ErrorAsAny", []any{eof}, []any{eof}},
		{"Must", []any{5, nil}, []any{5}},
		{"IsOf", []any{5}, []any{true, true}},
		{"IsOf", []any{"5"}, []any{false, false}},
	} {
		got, p := call(t, i, tt.name, tt.args...)
		if p != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s%v: got %v (panic %v), want %v\n%s", tt.name, tt.args, got, p, tt.want, src[tt.name])
		}
	}
	if _, p := call(t, i, "ErrorAsAny", nil); p == nil {
		t.Errorf("ErrorAsAny(nil) did not panic:\n%s", src["ErrorAsAny"])
	}
}

// TestRewriteAssertConcreteAndReturns checks the rewriting of the fixture
// integration/testdata/fidelity/lang/typeswitch.go's assertions of values
// of a compiled interface type to concrete types, which yaegi v0.16.1
// panics on for a struct without fields, and of operations returned as
// interfaces, which it returns as nil or panics on.
func TestRewriteAssertConcreteAndReturns(t *testing.T) {
	src := fixtureSource("typeswitch.go")
	prog, file := loadProgram(t, src)
	tests := map[string][]string{
		"SameFigure": {"p, ok := func() interface{} { return a }().(Poly)", "q, ok := func() interface{} { return b }().(Poly)", "_, ok := func() interface{} { return b }().(Dot)"},
		"FigureName": {"_, lpOK := func() interface{} { return lpTS }().(Dot)", "v := func() interface{} { return lpTS }().(Dot)", "_, lpOK := lpTS.(fmt.Stringer)", "v := func() interface{} { return lpTS }().(Poly)"},
		"Magnitude":  {"return (-x)"},
		"Negative":   {"return (x < 0)"},
		"AnyKind":    {"case lpTS != nil:"},
	}
	var keys []string
	for name := range tests {
		keys = append(keys, "example.com/wa."+name)
	}
	ch, err := prog.rewriteChange(file, []byte(src), keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range tests {
		got := ch.Funcs["example.com/wa."+name].Source
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: rewritten source lacks %q:\n%s", name, w, got)
			}
		}
	}
}
