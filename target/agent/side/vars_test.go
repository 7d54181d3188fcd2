package side

import "testing"

// TestVar checks that a variable's storage is made once, by the first
// asker, and shared by later ones.
func TestVar(t *testing.T) {
	made := 0
	mk := func() any { made++; v := 7; return &v }
	a := Var("example.com/m.v int", mk).(*int)
	*a = 9
	if b := Var("example.com/m.v int", mk).(*int); b != a || *b != 9 || made != 1 {
		t.Errorf("second asker: %p (%d), made %d times; want %p (9), made once", b, *b, made, a)
	}
	if c := Var("example.com/m.v int64", func() any { return new(int64) }); c == any(a) {
		t.Error("another type shares the storage")
	}
}

// TestShare checks that storage shared by the interpreter is what a later
// plugin gets, its initializer not run again, and that Share does not
// replace storage a plugin made first.
func TestShare(t *testing.T) {
	v := 3
	Share("example.com/m.shared int", &v)
	if got := Var("example.com/m.shared int", func() any { t.Error("initializer ran for shared storage"); return new(int) }); got != any(&v) {
		t.Errorf("got %v, want the shared %p", got, &v)
	}
	first := Var("example.com/m.first int", func() any { return new(int) })
	Share("example.com/m.first int", &v)
	if got := Var("example.com/m.first int", func() any { return new(int) }); got != first {
		t.Error("Share replaced storage a plugin made")
	}
}
