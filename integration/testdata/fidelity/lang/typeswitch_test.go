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
