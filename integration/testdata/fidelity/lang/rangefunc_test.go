package lang

import (
	"reflect"
	"slices"
	"testing"
)

func TestRangeFuncPlain(t *testing.T) {
	if s, done := JoinPairs([]string{"a", "b", "c"}); s != "0a1b2c" || !done {
		t.Errorf("JoinPairs: got %q, %v; want \"0a1b2c\", true", s, done)
	}
	if s, done := JoinPairs(nil); s != "" || !done {
		t.Errorf("JoinPairs(nil): got %q, %v; want \"\", true", s, done)
	}
}

func TestRangeFuncBreak(t *testing.T) {
	if s, done := FirstLong([]string{"a", "bbb", "cc", "dddd"}, 3); s != "bbb" || done {
		t.Errorf("FirstLong: got %q, %v; want \"bbb\", false (the iterator stopped)", s, done)
	}
	if s, done := FirstLong([]string{"a"}, 3); s != "" || !done {
		t.Errorf("FirstLong: got %q, %v; want \"\", true", s, done)
	}
}

func TestRangeFuncContinue(t *testing.T) {
	seq := slices.Values([]int{1, 2, 3, 4, 5, 101, 7, 9})
	if got := OddSum(seq, 7); got != 1+3+5 {
		t.Errorf("OddSum(stop 7): got %d, want 9", got)
	}
	if got := OddSum(seq, -1); got != 1+3+5+7+9 {
		t.Errorf("OddSum(no stop): got %d, want 25", got)
	}
}

func TestRangeFuncClosures(t *testing.T) {
	var got []int
	for _, f := range Adders(slices.Values([]int{10, 20, 30})) {
		got = append(got, f(1))
	}
	if want := []int{11, 21, 31}; !reflect.DeepEqual(got, want) {
		t.Errorf("Adders: got %v, want %v", got, want)
	}
}

func TestRangeFuncAssign(t *testing.T) {
	keys, n := KeysInto(map[string]int{"b": 1, "a": 2, "c": 3})
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(keys, want) || n != 3 {
		t.Errorf("KeysInto: got %v, %d; want %v, 3", keys, n, want)
	}
}

func TestRangeFuncReturn(t *testing.T) {
	seq := slices.Values([]int{5, 6, 7})
	if got := FindIndex(seq, 7); got != 2 {
		t.Errorf("FindIndex(7): got %d, want 2", got)
	}
	if got := FindIndex(seq, 8); got != -1 {
		t.Errorf("FindIndex(8): got %d, want -1", got)
	}
}
