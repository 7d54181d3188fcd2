package lang

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"testing"
)

func TestGenericHelperOfThePackage(t *testing.T) {
	if got, want := NameKeys(map[string]int{"b": 1, "a": 2}), []string{"a", "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("NameKeys: got %v, want %v", got, want)
	}
	if got, want := IntKeys(map[int]bool{3: true, 1: false}), []int{1, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("IntKeys: got %v, want %v", got, want)
	}
	if got, want := KeysFunc()(map[string]bool{"y": true, "x": true}), []string{"x", "y"}; !reflect.DeepEqual(got, want) {
		t.Errorf("KeysFunc: got %v, want %v", got, want)
	}
	if got, want := LocalKeys(), []string{"a", "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("LocalKeys: got %v, want %v", got, want)
	}
}

func TestGenericTypeOfThePackage(t *testing.T) {
	top, size, pushes := StackDemo([]string{"a", "b", "c"})
	if top != "c" || size != 2 || pushes != 3 {
		t.Errorf("StackDemo: got %q, %d, %d; want c, 2, 3", top, size, pushes)
	}
	if s := NewIntStack(4, 5); s.size() != 2 || s.pushes != 2 {
		t.Errorf("NewIntStack: got %d items, %d pushes; want 2, 2", s.size(), s.pushes)
	}
	s := &Stack[int]{}
	s.Push(1)
	got, items := StackOf(s, 2, 3)
	if got != s || !reflect.DeepEqual(items, []int{1, 2, 3}) {
		t.Errorf("StackOf: got %p, %v; want %p, [1 2 3]", got, items, s)
	}
}

func TestStdIterators(t *testing.T) {
	m := map[string]int{"b": 2, "a": 1, "c": 3}
	if got, want := Sorted(m), []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Sorted: got %v, want %v", got, want)
	}
	if got := ValueSum(m); got != 6 {
		t.Errorf("ValueSum: got %d, want 6", got)
	}
	rep, vals := Indexed([]string{"x", "y"})
	if !reflect.DeepEqual(rep, []string{"x", "yy"}) || !reflect.DeepEqual(vals, []string{"x", "y"}) {
		t.Errorf("Indexed: got %v, %v", rep, vals)
	}
	if got, want := Backwards([]int{1, 2, 3}), []int{3, 2, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("Backwards: got %v, want %v", got, want)
	}
	if got, want := Chunks([]int{1, 2, 3, 4, 5}, 2), [][]int{{1, 2}, {3, 4}, {5}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Chunks: got %v, want %v", got, want)
	}
	if got, want := Inverted(map[string]int{"a": 1, "b": 2}), map[int]string{1: "a", 2: "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Inverted: got %v, want %v", got, want)
	}
	if got := AllPairs(m); !reflect.DeepEqual(got, m) {
		t.Errorf("AllPairs: got %v, want %v", got, m)
	}
	lines, fields, n := Lines("a b\nc\n")
	if !reflect.DeepEqual(lines, []string{"a b\n", "c\n"}) || !reflect.DeepEqual(fields, []string{"a", "b", "c"}) || n != 3 {
		t.Errorf("Lines: got %q, %q, %d", lines, fields, n)
	}
}

func TestStdSlicesHelpers(t *testing.T) {
	if got, want := ByLength([]string{"ccc", "a", "bb", "d"}), []string{"a", "d", "bb", "ccc"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ByLength: got %v, want %v", got, want)
	}
	if got, want := Descending([]int{1, 3, 2}), []int{3, 2, 1, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("Descending: got %v, want %v", got, want)
	}
	if got, want := Edit([]int{1, 2, 2, 3}), []int{10, 2, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("Edit: got %v, want %v", got, want)
	}
	lo, hi, i, name := Extent([]float64{1, 2, 3}, "")
	if lo != 1 || hi != 3 || i != 1 || name != "none" {
		t.Errorf("Extent: got %v, %v, %d, %q", lo, hi, i, name)
	}
	if got, want := LocalPairs(map[string]int{"x": 2, "y": 1, "z": 2}), []string{"y", "x", "z", "x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("LocalPairs: got %v, want %v", got, want)
	}
}

func TestStdGenericsElsewhere(t *testing.T) {
	onceCalls = 0
	if a, b, n := Once(); a != 42 || b != 42 || n != 1 {
		t.Errorf("Once: got %d, %d, %d calls; want 42, 42, 1", a, b, n)
	}
	if got := SwapNames("a", "b"); got != "a,b" {
		t.Errorf("SwapNames: got %q", got)
	}
	if got := TypeNames(); got != "lang.Kind,error" {
		t.Errorf("TypeNames: got %q", got)
	}
	if op, ok := PathOp(fmt.Errorf("wrapped: %w", &fs.PathError{Op: "open", Err: errors.New("x")})); op != "open" || !ok {
		t.Errorf("PathOp: got %q, %v", op, ok)
	}
	if _, ok := PathOp(errors.New("plain")); ok {
		t.Error("PathOp(plain error): got true")
	}
}

func TestGenericTree(t *testing.T) {
	if i, ok, w, missing := TreeValues(); i != 7 || !ok || w != "y" || missing {
		t.Errorf("TreeValues: got %d %t %q %t, want 7 true \"y\" false", i, ok, w, missing)
	}
}
