package lang

import (
	"errors"
	"io"
	"reflect"
	"testing"
	"time"
)

func TestAssertToError(t *testing.T) {
	if !AreErrors(io.EOF, errors.New("x")) || AreErrors(io.EOF, 1) || AreErrors(nil, io.EOF) {
		t.Error("AreErrors: wrong answer")
	}
	// As go-cmp's FilterValues calls it.
	v := reflect.ValueOf(struct{ E error }{io.EOF}).Field(0)
	if !reflect.ValueOf(AreErrors).Call([]reflect.Value{v, v})[0].Bool() {
		t.Error("AreErrors through reflect: false")
	}
}

func TestTypeSwitchOnInterfaces(t *testing.T) {
	for _, tc := range []struct {
		x    any
		want string
	}{{nil, "nil"}, {1, "basic"}, {"s", "basic"}, {io.EOF, "error"}, {time.Second, "stringer or reader"}, {&errBuf{}, "error"}, {1.5, "other"}} {
		if got := IfaceKind(tc.x); got != tc.want {
			t.Errorf("IfaceKind(%v) = %q, want %q", tc.x, got, tc.want)
		}
	}
	for _, tc := range []struct {
		x    any
		want string
	}{{io.EOF, "eEOF"}, {time.Second, "s1s!"}, {true, "btruebtrue"}, {nil, "nilnil"}, {1.5, "dfloat64dfloat64"}} {
		if got := DescribeByIface(tc.x); got != tc.want {
			t.Errorf("DescribeByIface(%v) = %q, want %q", tc.x, got, tc.want)
		}
	}
}

// errBuf is an error and a reader: the first case that matches wins.
type errBuf struct{}

func (*errBuf) Error() string            { return "errBuf" }
func (*errBuf) Read([]byte) (int, error) { return 0, io.EOF }

func TestAssertToEmptyInterface(t *testing.T) {
	for _, tc := range []struct {
		x    any
		want string
	}{{"s", "string"}, {1, "any"}, {io.EOF, "any"}, {nil, "nil"}} {
		if got := AnyKind(tc.x); got != tc.want {
			t.Errorf("AnyKind(%v) = %q, want %q", tc.x, got, tc.want)
		}
	}
	for _, viaSwitch := range []bool{true, false} {
		if v, ok := AnyOf(7, viaSwitch); v != 7 || !ok {
			t.Errorf("AnyOf(7, %v) = %v, %v, want 7, true", viaSwitch, v, ok)
		}
		if v, ok := AnyOf(nil, viaSwitch); v != nil || ok {
			t.Errorf("AnyOf(nil, %v) = %v, %v, want nil, false", viaSwitch, v, ok)
		}
	}
	if v := ErrorAsAny(io.EOF); v != io.EOF {
		t.Errorf("ErrorAsAny(io.EOF) = %v", v)
	}
	defer func() {
		if recover() == nil {
			t.Error("ErrorAsAny(nil) did not panic")
		}
	}()
	ErrorAsAny(nil)
}

func TestAssertFromStructWithoutFields(t *testing.T) {
	if !SameFigure(Dot{}, Dot{}) || SameFigure(Dot{}, Poly{3}) || SameFigure(Poly{3}, Dot{}) || !SameFigure(Poly{3}, Poly{3}) {
		t.Error("SameFigure: wrong answer")
	}
	for s, want := range map[Figure]string{Dot{}: "dot", Poly{5}: "5-gon"} {
		if got := FigureName(s); got != want {
			t.Errorf("FigureName(%v) = %q, want %q", s, got, want)
		}
	}
}

func TestReturnOperationAsAny(t *testing.T) {
	for x, want := range map[any]any{-0.5: 0.5, 2.5: 2.5, -3: 3, 4: 4, "s": nil} {
		if got := Magnitude(x); got != want {
			t.Errorf("Magnitude(%v) = %v, want %v", x, got, want)
		}
	}
	if Negative(-1) != true || Negative(1) != false {
		t.Errorf("Negative: got %v, %v", Negative(-1), Negative(1))
	}
}
