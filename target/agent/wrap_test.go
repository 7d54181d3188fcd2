package agent

import (
	"iter"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// This file plays the builder for functions whose signatures have named
// func types: iter.Seq and iter.Seq2 (which the rewriter writes as their
// func types, yaegi having no iter) and a func type of the package.

const wrapPkg = "example.com/lpwrap"

// pred is a named func type of the package.
type pred func(int) bool

type (
	lpFn60 = func(int) iter.Seq[int]
	lpFn61 = func(iter.Seq[int]) int
	lpFn62 = func([]string) iter.Seq2[int, string]
	lpFn63 = func(int) pred
	lpFn64 = func(pred, int) bool
	lpFn65 = func(int) []iter.Seq[int]
)

func countTo(n int) iter.Seq[int] {
	if f, ok := dispatch(60).(lpFn60); ok {
		return f(n)
	}
	return nil
}

func sumSeq(seq iter.Seq[int]) int {
	if f, ok := dispatch(61).(lpFn61); ok {
		return f(seq)
	}
	return 0
}

func enumerate(xs []string) iter.Seq2[int, string] {
	if f, ok := dispatch(62).(lpFn62); ok {
		return f(xs)
	}
	return nil
}

func above(n int) pred {
	if f, ok := dispatch(63).(lpFn63); ok {
		return f(n)
	}
	return nil
}

func holds(p pred, x int) bool {
	if f, ok := dispatch(64).(lpFn64); ok {
		return f(p, x)
	}
	return false
}

func seqs(n int) []iter.Seq[int] {
	if f, ok := dispatch(65).(lpFn65); ok {
		return f(n)
	}
	return nil
}

func init() {
	RegisterPackage(wrapPkg, "lpwrap", map[string]reflect.Value{
		"pred": reflect.ValueOf((*pred)(nil)),
	})
	// Typed wrappers, which fall back to Wrapper when the interpreted
	// function's type differs, and Wrapper itself.
	RegisterFunc(60, wrapPkg+".countTo", Func1_1((lpFn60)(nil)))
	RegisterFunc(61, wrapPkg+".sumSeq", Func1_1((lpFn61)(nil)))
	RegisterFunc(62, wrapPkg+".enumerate", Wrapper(reflect.TypeOf((lpFn62)(nil))))
	RegisterFunc(63, wrapPkg+".above", Func1_1((lpFn63)(nil)))
	RegisterFunc(64, wrapPkg+".holds", Func2_1((lpFn64)(nil)))
	RegisterFunc(65, wrapPkg+".seqs", Func1_1((lpFn65)(nil)))
}

// TestNamedFuncTypes patches functions whose parameters and results have
// named func types, written by the interpreted source as the same named
// type (pred) or as the func type it stands for (iter.Seq as func(yield
// func(int) bool)): reflect assigns a value of the one to the other, in
// the typed wrappers' fallback and in Wrapper, both ways.
func TestNamedFuncTypes(t *testing.T) {
	resetPatches(t)
	mustApply(t,
		wire.Patch{Ref: wire.Ref{Key: wrapPkg + ".countTo"}, Source: `func countTo(n int) func(yield func(int) bool) {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}`},
		wire.Patch{Ref: wire.Ref{Key: wrapPkg + ".sumSeq"}, Source: `func sumSeq(seq func(yield func(int) bool)) int {
	s := 0
	seq(func(v int) bool { s += v; return true })
	return s
}`},
		wire.Patch{Ref: wire.Ref{Key: wrapPkg + ".enumerate"}, Source: `func enumerate(xs []string) func(yield func(int, string) bool) {
	return func(yield func(int, string) bool) {
		for i, x := range xs {
			if !yield(i, x) {
				return
			}
		}
	}
}`},
		wire.Patch{Ref: wire.Ref{Key: wrapPkg + ".above"}, Source: `func above(n int) pred { return func(x int) bool { return x > n } }`},
		wire.Patch{Ref: wire.Ref{Key: wrapPkg + ".holds"}, Source: `func holds(p func(int) bool, x int) bool { return p(x) }`},
	)
	if got, want := slices.Collect(countTo(4)), []int{0, 1, 2, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("countTo(4): got %v, want %v", got, want)
	}
	if got := sumSeq(slices.Values([]int{1, 2, 3})); got != 6 {
		t.Errorf("sumSeq: got %d, want 6", got)
	}
	if got := sumSeq(countTo(5)); got != 10 {
		t.Errorf("sumSeq(countTo(5)): got %d, want 10", got)
	}
	var pairs []string
	for i, x := range enumerate([]string{"a", "b", "c"}) {
		if i == 2 {
			break
		}
		pairs = append(pairs, x)
	}
	if want := []string{"a", "b"}; !reflect.DeepEqual(pairs, want) {
		t.Errorf("enumerate: got %v, want %v", pairs, want)
	}
	if p := above(2); p == nil || !p(3) || p(2) {
		t.Errorf("above(2): got a pred that does not test x > 2")
	}
	if !holds(above(1), 5) || holds(pred(func(x int) bool { return x < 0 }), 5) {
		t.Errorf("holds: got the wrong answers")
	}
}

// TestNamedFuncTypeInsideDoesNotFit checks that a result type holding
// iter.Seq written with the func type inside ([]func(yield func(int)
// bool) for []iter.Seq[int]) is refused at Apply: reflect cannot assign
// the one to the other, which is why the rewriter refuses such
// signatures.
func TestNamedFuncTypeInsideDoesNotFit(t *testing.T) {
	resetPatches(t)
	err := Apply([]wire.Patch{{Ref: wire.Ref{Key: wrapPkg + ".seqs"}, Source: `func seqs(n int) []func(yield func(int) bool) { return nil }`}})
	if err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("Apply: got %v, want a replacement that does not fit", err)
	}
	if got := seqs(1); got != nil {
		t.Errorf("seqs: got %v from the compiled function, want nil", got)
	}
}
