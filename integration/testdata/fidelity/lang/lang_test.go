package lang

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"
)

func TestRangeOverInt(t *testing.T) {
	if got, want := Squares(4), []int{0, 1, 4, 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("Squares(4): got %v, want %v", got, want)
	}
}

func TestRangeOverFunc(t *testing.T) {
	if got := SumUntil(10, 4); got != 6 {
		t.Errorf("SumUntil(10, 4): got %d, want 6", got)
	}
}

func TestLoopVariablePerIteration(t *testing.T) {
	var got []int
	for _, f := range Closures(3) {
		got = append(got, f())
	}
	if want := []int{0, 1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("closures: got %v, want %v", got, want)
	}
}

func TestMinMaxClear(t *testing.T) {
	m := map[string]int{"a": 1}
	lo, hi := Extremes(3, 1, 2, m)
	if lo != 1 || hi != 3 || len(m) != 0 {
		t.Errorf("Extremes: got %d, %d, map %v; want 1, 3, empty", lo, hi, m)
	}
	if got := FloatMax(1, math.NaN()); !math.IsNaN(got) {
		t.Errorf("FloatMax(1, NaN): got %v, want NaN", got)
	}
}

func TestGenericHelpers(t *testing.T) {
	if got, want := SortedKeys(map[string]int{"b": 1, "a": 2}), []string{"a", "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("SortedKeys: got %v, want %v", got, want)
	}
	if got := IndexOf([]string{"x", "y"}, "y"); got != 1 {
		t.Errorf("IndexOf: got %d, want 1", got)
	}
}

func TestErrorWrapping(t *testing.T) {
	if _, err := Half(3); !errors.Is(err, ErrOdd) || err.Error() != "half 3: odd" {
		t.Errorf("Half(3): got %v, want a wrapped ErrOdd", err)
	}
	if n, err := Half(4); n != 2 || err != nil {
		t.Errorf("Half(4): got %d, %v", n, err)
	}
}

func TestPanicRecover(t *testing.T) {
	err := errors.New("x")
	if got := Safely(func() { Boom(err) }); got != err {
		t.Errorf("Safely(Boom(err)): got %v (%T), want the same error", got, got)
	}
	if got := Safely(func() {}); got != nil {
		t.Errorf("Safely(no panic): got %v", got)
	}
}

func TestDeferOrder(t *testing.T) {
	if got, want := Order(), []int{2, 1, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("Order: got %v, want %v", got, want)
	}
}

// TestGoroutinesInLoops starts goroutines from a loop many times: each
// goroutine runs the closure of its own iteration while the loop goes on.
func TestGoroutinesInLoops(t *testing.T) {
	for range 300 {
		if got := Workers(10); got != 55 {
			t.Fatalf("Workers(10): got %d, want 55", got)
		}
		if got := Spawned(10); got != 55 {
			t.Fatalf("Spawned(10): got %d, want 55", got)
		}
		if got := FanOut(10); got != 385 {
			t.Fatalf("FanOut(10): got %d, want 385", got)
		}
	}
}

func TestGoroutinesAndSelect(t *testing.T) {
	if got := Workers(10); got != 55 {
		t.Errorf("Workers(10): got %d, want 55", got)
	}
	if got := Pipeline(10); got != 55 {
		t.Errorf("Pipeline(10): got %d, want 55", got)
	}
	a := make(chan int, 1)
	a <- 7
	if got := First(a, nil, -1); got != 7 {
		t.Errorf("First: got %d, want 7", got)
	}
	if got := First(nil, nil, -1); got != -1 {
		t.Errorf("First of empty channels: got %d, want -1", got)
	}
}

func TestEmbeddingAndMethodValues(t *testing.T) {
	d := NewDerived("n")
	if d.Name() != "n" || d.Extra != "hello" {
		t.Errorf("NewDerived: got %q, %q", d.Name(), d.Extra)
	}
	if got := HitTwice(d); got != 2 {
		t.Errorf("HitTwice: got %d, want 2", got)
	}
}

func TestStringerAndConstants(t *testing.T) {
	if got := Describe(KindB); got != "B/B" {
		t.Errorf("Describe(KindB): got %q, want B/B", got)
	}
	if got := Kind(7).String(); got != "Kind(7)" {
		t.Errorf("Kind(7): got %q", got)
	}
	if got := Greeting("x"); got != "hello, x" {
		t.Errorf("Greeting: got %q", got)
	}
}

func TestBroadcast(t *testing.T) {
	chs := []chan int{make(chan int, 1), make(chan int, 1)}
	if got := Broadcast(chs, 5); got != 2 {
		t.Fatalf("Broadcast: sent to %d channels, want 2", got)
	}
	for i, ch := range chs {
		if v := <-ch; v != 5 {
			t.Errorf("channel %d: got %d, want 5", i, v)
		}
	}
}

func TestNotify(t *testing.T) {
	subs := map[string]chan string{"a": make(chan string, 1), "b": make(chan string, 1)}
	if got := Notify(subs, "hi"); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("Notify: sent to %v, want [a b]", got)
	}
	for name, ch := range subs {
		if got, want := <-ch, "hi "+name; got != want {
			t.Errorf("channel %s: got %q, want %q", name, got, want)
		}
	}
}

func TestTotals(t *testing.T) {
	a := [4]int{1, 2, 3, 4}
	sum, later := Totals(&a)
	if sum != 30 {
		t.Errorf("Totals: sum %d, want 30", sum)
	}
	var got []int
	for _, f := range later {
		got = append(got, f())
	}
	if !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Errorf("Totals: closures saw %v, want [1 2 3 4]", got)
	}
}

func TestDrain(t *testing.T) {
	chs := [2]chan int{make(chan int, 1), make(chan int, 1)}
	chs[0] <- 10
	chs[1] <- 20
	if got := Drain(chs); got != 50 {
		t.Errorf("Drain: got %d, want 50", got)
	}
}

func TestElidedLiterals(t *testing.T) {
	if got, want := ElidedSlice("t"), []field{{typ: "t"}, {typ: "t2", size: 2}}; !reflect.DeepEqual(got, want) {
		t.Errorf("ElidedSlice: got %+v, want %+v", got, want)
	}
	if got, want := ElidedArray(), [2]field{{typ: "a", size: 1}, {size: 2}}; got != want {
		t.Errorf("ElidedArray: got %+v, want %+v", got, want)
	}
	byName, count := ElidedMap()
	if byName["x"] != (field{typ: "x", size: 1}) || count[field{typ: "k", size: 3}] != 3 {
		t.Errorf("ElidedMap: got %+v %+v", byName, count)
	}
	p, ps := PointerLiterals()
	if *p != (field{typ: "p"}) || len(ps) != 2 || *ps[0] != (field{typ: "q", size: 1}) || *ps[1] != (field{size: 2}) {
		t.Errorf("PointerLiterals: got %+v %+v", p, ps)
	}
}

func TestNestedLiterals(t *testing.T) {
	r := NestedLiterals("n")
	if r.name != "n" || !reflect.DeepEqual(r.fields, []field{{typ: "n"}, {typ: "n", size: 9}}) || *r.first != (field{typ: "first"}) {
		t.Errorf("NestedLiterals: got %+v", r)
	}
	rs := NestedSlices()
	if len(rs) != 1 || rs[0].name != "r" || rs[0].fields[0] != (field{typ: "inner", size: 4}) || rs[0].first.size != 5 {
		t.Errorf("NestedSlices: got %+v", rs)
	}
	s, f := ArgumentLiteral("ab")
	if s != "ab/2" || f != (field{typ: "ret"}) {
		t.Errorf("ArgumentLiteral: got %q %+v", s, f)
	}
}

func TestRecoverAs(t *testing.T) {
	e := errors.New("inner")
	if err := RecoverAs(e); errors.Unwrap(err) != e || err.Error() != "recovered inner" {
		t.Errorf("RecoverAs(e): got %v, unwrapping to %v, want e wrapped", err, errors.Unwrap(err))
	}
	if err := RecoverAs(7); errors.Unwrap(err) != nil || err.Error() != "recovered 7" {
		t.Errorf("RecoverAs(7): got %v, unwrapping to %v, want no error wrapped", err, errors.Unwrap(err))
	}
}

func TestCatchByMethod(t *testing.T) {
	if got := CatchByMethod(); got != "boom" {
		t.Errorf("CatchByMethod: got %q, want boom", got)
	}
}

func TestFuncFieldFromCall(t *testing.T) {
	four := 1
	for _, c := range []struct {
		p    *pparser
		want string
	}{
		{&pparser{stack: []int{1, 9, 9}}, "A"},
		{&pparser{stack: []int{9, 3, 9}, modes: pmodeStack{modeB, modeT}}, "T"},
		{&pparser{stack: []int{9, 9}}, "B"},
		{&pparser{stack: []int{9, 9}, ctx: &four}, "A"},
	} {
		c.p.ResetMode()
		if c.p.im == nil {
			t.Errorf("%v: im not set", c.p.stack)
			continue
		}
		if got := c.p.im(c.p); got != c.want {
			t.Errorf("%v: got %q, want %q", c.p.stack, got, c.want)
		}
	}
}

func TestFuncFieldStores(t *testing.T) {
	p := &pparser{modes: pmodeStack{modeB, modeT}}
	a, b, c := p.AssignVariants()
	if !a || !b || !c {
		t.Errorf("got %v %v %v", a, b, c)
	}
}

func TestSwitchInitSelector(t *testing.T) {
	for _, k := range []elemKind{kindPre, kindListing} {
		p := &textParser{open: elemStack{{Kind: k}}}
		AddText(p, "\n\nA")
		if p.out != "\nA" {
			t.Errorf("AddText in %v: got %q, want %q", k, p.out, "\nA")
		}
	}
	if got := TrimIfLong("abcde"); got != "bcde" {
		t.Errorf("TrimIfLong: got %q, want bcde", got)
	}
}

func TestForWithInitOnly(t *testing.T) {
	if got, want := Factorials(5), []int{1, 2, 6, 24, 120}; !reflect.DeepEqual(got, want) {
		t.Errorf("Factorials(5): got %v, want %v", got, want)
	}
}
