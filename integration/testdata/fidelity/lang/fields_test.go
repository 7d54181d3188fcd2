package lang

import (
	"reflect"
	"testing"
)

func TestUnnamedStructField(t *testing.T) {
	if got := ReplaceAll("aa"); got != "cc" {
		t.Errorf("ReplaceAll(aa): got %q, want cc", got)
	}
	Tally("x")
	n, names := Tally("y")
	if n != 22 || !reflect.DeepEqual(names, []string{"x", "y"}) {
		t.Errorf("Tally: got %d %v, want 22 [x y]", n, names)
	}
	Limit("k")
	max, was, hits := Limit("key")
	if max != 3 || was || hits != 2 {
		t.Errorf("Limit(key): got %d %v %d, want 3 false 2", max, was, hits)
	}
	if _, was, _ := Limit("k"); !was {
		t.Errorf("Limit(k) again: got seen false, want true")
	}
	if a, bb, xy := Sizes(); a != 1 || bb != 2 || xy != "xy" {
		t.Errorf("Sizes: got %d %d %q, want 1 2 xy", a, bb, xy)
	}
}

func TestFieldOfResult(t *testing.T) {
	if name, on := AttrName(2); name != "xx" || !on {
		t.Errorf("AttrName(2): got %q, %v; want xx, true", name, on)
	}
}

func TestFieldOfUnexportedField(t *testing.T) {
	c := &lexCursor{tok: lexToken{text: "old", pos: 5}}
	if pos, prev := Advance(c, "new"); pos != 10 || prev != "old" {
		t.Errorf("Advance: got %d %q, want 10 old", pos, prev)
	}
	if pos, prev := Advance(c, "newer"); pos != 20 || prev != "new" {
		t.Errorf("Advance again: got %d %q, want 20 new", pos, prev)
	}
}
