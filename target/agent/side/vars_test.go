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
