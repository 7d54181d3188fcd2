package lang

import (
	"errors"
	"math"
	"reflect"
	"runtime"
	"testing"
	"time"
)

func TestTypeSwitchEmptyClauses(t *testing.T) {
	pre, post := WalkOrder(&Group{Items: []Exprs{&Leaf{}, &Group{Items: []Exprs{&Leaf{}}}, nil}})
	if want := []int{3, 1, 1, 1}; !reflect.DeepEqual(pre, want) {
		t.Errorf("WalkOrder pre: got %v, want %v", pre, want)
	}
	if want := []int{1, 1, 1, 3}; !reflect.DeepEqual(post, want) {
		t.Errorf("WalkOrder post: got %v, want %v", post, want)
	}
	if got := KindOf(1); got != "other!" {
		t.Errorf("KindOf(1): got %q, want other!", got)
	}
	if got := KindOf("s"); got != "string!" {
		t.Errorf("KindOf(s): got %q, want string!", got)
	}
}

func TestCaseList(t *testing.T) {
	for r, want := range map[rune]string{0: "separator", '|': "separator", ' ': "separator", '\\': "escape", '^': "escape", 'a': "text"} {
		if got := Classify(r); got != want {
			t.Errorf("Classify(%q): got %q, want %q", r, got, want)
		}
	}
}

func TestConstantInCondition(t *testing.T) {
	if !IsEnd(0) || !IsEnd('|') || IsEnd('a') {
		t.Errorf("IsEnd: got %v %v %v for 0, '|', 'a'; want true true false", IsEnd(0), IsEnd('|'), IsEnd('a'))
	}
}

func TestSeveralValues(t *testing.T) {
	n, rest, joined := AssignPairs("a,b,c")
	if n != 11 || !reflect.DeepEqual(rest, []string{"a", "c", "end"}) || joined != "a+c" {
		t.Errorf("AssignPairs: got %d %v %q, want 11 [a c end] a+c", n, rest, joined)
	}
}

func TestAssignNils(t *testing.T) {
	e := errors.New("e")
	if p, err := ClearBoth(e); p != nil || err != e {
		t.Errorf("ClearBoth: got %v, %v; want nil, e", p, err)
	}
}

func TestVariableOfAnotherPackage(t *testing.T) {
	local, rate := time.Local, runtime.MemProfileRate
	defer func() { time.Local, runtime.MemProfileRate = local, rate }()
	time.Local, runtime.MemProfileRate = time.FixedZone("LP", 3600), 3
	if name, twice := ZoneAndRate(0); name != "LP" || twice != 6 {
		t.Errorf("ZoneAndRate(0) with the variables changed: got %q, %d; want LP, 6", name, twice)
	}
}

func TestReturnNilFunc(t *testing.T) {
	if h, ok := HandlerFor(""); h != nil || ok {
		t.Errorf("HandlerFor(\"\"): got a handler %v, %v; want nil, false", h != nil, ok)
	}
	if h, ok := HandlerFor("len"); !ok || h("abc") != 3 {
		t.Errorf("HandlerFor(len): got %v; want the handler", ok)
	}
}

func TestAssignCompositeLiteral(t *testing.T) {
	var h spanHolder
	if last, held := SetSpans(&h, 2); last != (Span{2, 3}) || held != (Span{-2, -3}) || lastSpan != last || h.span != held {
		t.Errorf("SetSpans(2): got %v, %v (stored %v, %v); want {2 3}, {-2 -3}", last, held, lastSpan, h.span)
	}
	var both setsHolder
	if span, count := SetBoth(&both, 5); span != (Span{5, 5}) || count != 1 || both.count != 1 {
		t.Errorf("SetBoth(5): got %v, %d (stored count %d), want {5 5}, 1", span, count, both.count)
	}
	if got := NewHolder(4).span; got != (Span{4, 4}) {
		t.Errorf("NewHolder(4).span: got %v, want {4 4}", got)
	}
}

func TestShiftOfConstant(t *testing.T) {
	if got := Mask(0xabcd, 4); got != 0xd {
		t.Errorf("Mask(0xabcd, 4): got %#x, want 0xd", got)
	}
	if !Has(Regs(0b100), 2) || Has(Regs(0b100), 1) {
		t.Errorf("Has(0b100, 2), Has(0b100, 1): got %v, %v; want true, false", Has(Regs(0b100), 2), Has(Regs(0b100), 1))
	}
}

func TestReturnSumAsInterface(t *testing.T) {
	if o := NextRegs(2); o == nil || o.regs() != 3 {
		t.Errorf("NextRegs(2): got %v, want 3", o)
	}
}

func TestParenthesizedOperands(t *testing.T) {
	if got := []int{Flagged(1, 32), Flagged(0, 1), Flagged(2, 8), Flagged(3, 1)}; !reflect.DeepEqual(got, []int{1, 2, 2, 3}) {
		t.Errorf("Flagged: got %v, want [1 2 2 3]", got)
	}
}

func TestAppendSeveralValues(t *testing.T) {
	args := make([]string, 3, 8)
	copy(args, []string{"a", "b", "c"})
	if got := InsertBeforeLast(args, "M"); !reflect.DeepEqual(got, []string{"a", "b", "M", "c"}) {
		t.Errorf("InsertBeforeLast: got %v, want [a b M c]", got)
	}
}

func TestEarlyDefaultFallthrough(t *testing.T) {
	if got := []string{PrefixKind(0x26), PrefixKind(0x64), PrefixKind(1)}; !reflect.DeepEqual(got, []string{"segment", "segment", "none"}) {
		t.Errorf("PrefixKind: got %v, want [segment segment none]", got)
	}
	for p, want := range map[int][]string{1: {"one", "default"}, 2: {"two", "three"}, 3: {"three"}, 9: {"default"}} {
		if got := FallIntoDefault(p); !reflect.DeepEqual(got, want) {
			t.Errorf("FallIntoDefault(%d): got %v, want %v", p, got, want)
		}
	}
}

func TestLabelInCase(t *testing.T) {
	if got := CountBefore(1, []int{3, 4, -1, 5}); got != 2 {
		t.Errorf("CountBefore: got %d, want 2", got)
	}
	for s, want := range map[string]int{`"a" "bc"  "d"`: 3, `"a" x "b"`: 1, ` "a"`: 1, `x`: 0} {
		if got := QuotedWords(s); got != want {
			t.Errorf("QuotedWords(%s): got %d, want %d", s, got, want)
		}
	}
}

func TestRangeAssign(t *testing.T) {
	i, item, k, c, got := LastAssigned([]string{"p", "q"})
	if i != 1 || item != "q" || k != "only" || c != 'z' || got != "p,q" {
		t.Errorf("LastAssigned: got %d %q %q %q %q, want 1 q only 'z' p,q", i, item, k, c, got)
	}
}

func TestConstantBeyondInt64(t *testing.T) {
	if got := Saturate(-1); got != 1<<64-1 {
		t.Errorf("Saturate(-1): got %d, want %d", got, uint64(1<<64-1))
	}
	if got := Saturate(7); got != 7 {
		t.Errorf("Saturate(7): got %d, want 7", got)
	}
}

func TestFloatConstants(t *testing.T) {
	for _, c := range []struct {
		x             float64
		finite, below bool
	}{{4.7, true, true}, {4.8, true, false}, {math.Inf(-1), false, true}, {-math.MaxFloat64, true, true}} {
		if f, b := InRange(c.x); f != c.finite || b != c.below {
			t.Errorf("InRange(%v): got %v, %v, want %v, %v", c.x, f, b, c.finite, c.below)
		}
	}
}

func TestShadowedTypeName(t *testing.T) {
	if got := ArgScore([]argKind{argExpr, argPred, argExpr | argOptional}); got != 102 {
		t.Errorf("ArgScore: got %d, want 102", got)
	}
}

func TestCaseListOfVariables(t *testing.T) {
	for c, want := range map[byte]string{0xd9: "8", 0xc4: "8", 0: "zero", 7: "other"} {
		if got := CodeKind(c); got != want {
			t.Errorf("CodeKind(%#x): got %q, want %q", c, got, want)
		}
	}
	five := byte(5)
	for c, want := range map[byte]string{1: "none", 5: "none", 0: "other", 0xc4: "8", 0xd9: "8"} {
		if got := CodeClass(c, &five); got != want {
			t.Errorf("CodeClass(%#x): got %q, want %q", c, got, want)
		}
	}
}
