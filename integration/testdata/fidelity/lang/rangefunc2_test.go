package lang

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
)

func TestRangeFuncNestedReturn(t *testing.T) {
	a, b := slices.Values([]int{1, 2, 3}), slices.Values([]int{10, 20})
	if x, y, err := FindPair(a, b, 22); x != 2 || y != 20 || err != nil {
		t.Errorf("FindPair(22): got %d, %d, %v; want 2, 20, nil", x, y, err)
	}
	if _, _, err := FindPair(a, b, 5); err == nil || err.Error() != "no pair sums to 5" {
		t.Errorf("FindPair(5): got error %v, want \"no pair sums to 5\"", err)
	}
}

func TestRangeFuncNamedResults(t *testing.T) {
	seq := maps.All(map[int]int{0: 3})
	if i, v, ok := FirstAbove(seq, 2); i != 0 || v != 3 || !ok {
		t.Errorf("FirstAbove(2): got %d, %d, %v; want 0, 3, true", i, v, ok)
	}
	if i, v, ok := FirstAbove(seq, 5); i != -1 || v != 0 || ok {
		t.Errorf("FirstAbove(5): got %d, %d, %v; want -1, 0, false", i, v, ok)
	}
}

func TestRangeFuncBranchOut(t *testing.T) {
	rows := [][]int{{1, 2}, {3, -1, 100}, {4}, {5, 9, 6}, {7}}
	sum, trace := Scan(rows, 9)
	if want := []string{"row 0", "skip 1", "row 2", "stop"}; sum != 1+2+3+4+5 || !reflect.DeepEqual(trace, want) {
		t.Errorf("Scan: got %d, %q; want 15, %q", sum, trace, want)
	}
	sum, trace = Scan([][]int{{1}, {2000}}, -5)
	if want := []string{"row 0", "overflow"}; sum != -1 || !reflect.DeepEqual(trace, want) {
		t.Errorf("Scan (goto): got %d, %q; want -1, %q", sum, trace, want)
	}
}

func TestRangeFuncOuterBranches(t *testing.T) {
	got := Below(slices.Values([]int{1, 3, 6}), slices.Values([]int{1, 2, 3, 4}))
	want := [][2]int{{1, 1}, {3, 1}, {3, 2}, {3, 3}, {6, 1}, {6, 2}, {6, 3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Below: got %v, want %v", got, want)
	}
}

func TestRangeFuncGotoLabel(t *testing.T) {
	if got, want := Retry(slices.Values([]int{1, 2, 3}), 2), []int{1, 2, 1, 2, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("Retry: got %v, want %v", got, want)
	}
}

func TestRangeFuncDefer(t *testing.T) {
	var log []string
	n := CloseAll(slices.Values([]string{"a", "b"}), &log)
	want := []string{"body done", "deferred b", "close b", "deferred a", "close a", "done"}
	if n != 2 || !reflect.DeepEqual(log, want) {
		t.Errorf("CloseAll: got %d, %q; want 2, %q", n, log, want)
	}
}

// panicOf returns what f panics with, formatted, or "" when it returns.
func panicOf(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func TestRangeFuncIteratorMisuse(t *testing.T) {
	const prefix = "runtime error: range function continued iteration after "
	if got, want := panicOf(func() { BreakStubborn() }), prefix+"function for loop body returned false"; got != want {
		t.Errorf("BreakStubborn: got panic %q, want %q", got, want)
	}
	var saved func(int) bool
	if n := SumKept(&saved); n != 1 {
		t.Fatalf("SumKept: got %d, want 1", n)
	}
	if got, want := panicOf(func() { saved(2) }), prefix+"whole loop exit"; got != want {
		t.Errorf("yield after the loop: got panic %q, want %q", got, want)
	}
}

func TestSeqResults(t *testing.T) {
	if got, want := slices.Collect(Evens(7)), []int{0, 2, 4, 6}; !reflect.DeepEqual(got, want) {
		t.Errorf("Evens(7): got %v, want %v", got, want)
	}
	var got []string
	for i, x := range Enumerate([]string{"a", "b", "c"}) {
		if i == 2 {
			break
		}
		got = append(got, fmt.Sprint(i, x))
	}
	if want := []string{"0a", "1b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Enumerate: got %v, want %v", got, want)
	}
	if got, want := slices.Collect(Filter(Evens(10), Above(3))), []int{4, 6, 8}; !reflect.DeepEqual(got, want) {
		t.Errorf("Filter(Evens(10), Above(3)): got %v, want %v", got, want)
	}
}

func TestDeferOperandsAtDefer(t *testing.T) {
	got := DeferArgs([]string{"x", "y"})
	want := []string{"spread a", "spread b", "counter 101", "before", "body var 1", "body var 0",
		"argument y", "literal y", "argument x", "literal x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DeferArgs: got %q, want %q", got, want)
	}
}

func TestDeferOwnClosure(t *testing.T) {
	if got, want := Cleanup(), []string{"working", "cleaned"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Cleanup: got %q, want %q", got, want)
	}
}
