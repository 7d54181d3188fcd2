package lang

import (
	"math"
	"runtime"
	"strings"
	"time"
)

// Statements that the interpreter compiles and, unless rewritten, runs
// differently: several values assigned or returned at once, type
// switches with empty clauses, case lists of switches without a tag, and
// range loops that assign existing variables.

// Exprs is the interface the type switches below take apart.
type Exprs interface{ Len() int }

// Leaf and Group implement Exprs.
type (
	Leaf  struct{ N int }
	Group struct{ Items []Exprs }
)

// Len implements Exprs.
func (l *Leaf) Len() int { return 1 }

// Len implements Exprs.
func (g *Group) Len() int { return len(g.Items) }

// WalkOrder lists x and what it contains in pre- and post-order, through a
// type switch whose clauses for leaves and nil are empty.
func WalkOrder(x Exprs) (pre, post []int) {
	var walk func(x Exprs)
	walk = func(x Exprs) {
		if x != nil {
			pre = append(pre, x.Len())
		}
		switch x := x.(type) {
		case nil:
			// nothing
		case *Leaf:
			// nothing
		case *Group:
			for _, y := range x.Items {
				walk(y)
			}
		}
		if x != nil {
			post = append(post, x.Len())
		}
	}
	walk(x)
	return pre, post
}

// KindOf names the dynamic type of v through a type switch whose default
// clause is empty.
func KindOf(v any) string {
	kind := "other"
	switch v.(type) {
	case string:
		kind = "string"
	default:
	}
	return kind + "!"
}

// Classify names a rune through a switch without a tag whose cases list
// several conditions.
func Classify(r rune) string {
	switch {
	case r == 0, r == '|', r == ' ':
		return "separator"
	case r == '\\',
		// an escape
		r == '^':
		return "escape"
	}
	return "text"
}

// AssignPairs assigns and returns several values at once, with calls, builtins
// and composite literals among them.
func AssignPairs(s string) (int, []string, string) {
	var n int
	var parts []string
	n, parts = len(s), strings.Split(s, ",")
	first, rest := 1, []string{parts[0]}
	var count, total = 2, len(parts)
	n, rest = n+first+count+total, append(rest, parts[len(parts)-1])
	return n, append(rest, "end"), strings.Join(rest, "+")
}

// LastAssigned ranges with = over a slice, a map and a string: the
// variables hold the last values after the loop, and the closure made
// before it sees them.
func LastAssigned(items []string) (int, string, string, rune, string) {
	var i int
	var item string
	seen := func() string { return item }
	var got []string
	for i, item = range items {
		got = append(got, seen())
	}
	var k string
	for k = range map[string]bool{"only": true} {
	}
	var c rune
	for _, c = range "xyz" {
	}
	return i, item, k, c, strings.Join(got, ",")
}

const endRune = 0

// IsEnd compares with an untyped constant of the package, which the
// rewriting writes as its value, inside a condition joined with ||.
func IsEnd(r rune) bool { return r == endRune || r == '|' }

// ClearBoth assigns nil and an error to its results at once, in a
// deferred function.
func ClearBoth(e error) (p *Leaf, err error) {
	p = &Leaf{N: 1}
	defer func() {
		var s []int
		p, err, s = nil, e, nil
		_ = s
	}()
	return p, nil
}

// ZoneAndRate passes a variable of the standard library to a method and
// computes with another, as the variables are when it runs.
func ZoneAndRate(sec int64) (string, int) {
	name, _ := time.Unix(sec, 0).In(time.Local).Zone()
	return name, runtime.MemProfileRate * 2
}

// Handler is a function type of the package.
type Handler = func(string) int

var handlers = map[string]Handler{"len": func(s string) int { return len(s) }}

// HandlerFor returns nil, as a Handler, for an empty name.
func HandlerFor(name string) (Handler, bool) {
	if name == "" {
		return nil, false
	}
	h, ok := handlers[name]
	return h, ok
}

// Span is a struct type of the package.
type Span struct{ From, To int }

var lastSpan Span

type spanHolder struct{ span Span }

// SetSpans assigns composite literals to a package variable and to an
// unexported field.
func SetSpans(h *spanHolder, n int) (Span, Span) {
	lastSpan = Span{From: n, To: n + 1}
	h.span = Span{From: -n, To: -n - 1}
	return lastSpan, h.span
}

// NewHolder sets an unexported field of struct type in a composite literal.
func NewHolder(n int) *spanHolder { return &spanHolder{span: Span{From: n, To: n}} }

// setsHolder holds a pointer and a count that are set together.
type setsHolder struct {
	first *spanHolder
	count int
}

// SetBoth sets both fields in one assignment, the first to the address of
// a literal of a type with unexported fields (nats-server's avl
// SetInitialMin: ss.root, ss.nodes = &node{base: min, h: 1}, 1).
func SetBoth(h *setsHolder, n int) (Span, int) {
	h.first, h.count = &spanHolder{span: Span{From: n, To: n}}, 1
	return h.first.span, h.count
}

// Regs is a set of registers, one bit each.
type Regs uint16

// Mask keeps the low bits of v: a shift of an untyped constant by a
// variable, as an operand.
func Mask(v uint32, bits uint8) uint32 { return v & ((1 << bits) - 1) }

// Has tells whether r holds register i.
func Has(r Regs, i int) bool { return r&(1<<uint(i)) != 0 }

// Operand is an interface that Regs implements.
type Operand interface{ regs() Regs }

func (r Regs) regs() Regs { return r }

// NextRegs returns a sum of Regs as an Operand.
func NextRegs(r Regs) Operand { return r + Regs(1) }

// Flagged tests bits of m with parenthesized names and literals on the
// left of && and ||.
func Flagged(m uint64, offs uint8) int {
	if ((m)&0x1 == (1)) && (offs == 32) {
		return 1
	} else if (m) == 0 || (offs) == 8 {
		return 2
	}
	return 3
}

// InsertBeforeLast puts mask before the last element of args, in args'
// own array when it has room.
func InsertBeforeLast(args []string, mask string) []string {
	return append(args[:len(args)-1], mask, args[len(args)-1])
}

// PrefixKind falls through from one clause to the next in a switch whose
// default clause comes first (the interpreter would not take the clause
// that falls through; the rewriter writes the default clause last).
func PrefixKind(p byte) string {
	switch p {
	default:
		return "none"
	case 0x26, 0x2e:
		fallthrough
	case 0x64:
		return "segment"
	}
}

// FallIntoDefault falls through into a default clause that is not the
// last. It stays compiled: the default clause's place matters here.
func FallIntoDefault(p int) (trace []string) {
	switch p {
	case 1:
		trace = append(trace, "one")
		fallthrough
	default:
		trace = append(trace, "default")
	case 2:
		trace = append(trace, "two")
		fallthrough
	case 3:
		trace = append(trace, "three")
	}
	return trace
}

// CountBefore counts the elements before the first negative one, in a
// labeled loop that is the first statement of a case clause.
func CountBefore(kind int, xs []int) (n int) {
	switch kind {
	case 1:
	Scan:
		for _, x := range xs {
			switch {
			case x < 0:
				break Scan
			}
			n++
		}
	}
	return n
}

// QuotedWords counts the quoted words at the start of s, separated by
// spaces, with a goto back to a label at the head of a case clause
// (tidwall/gjson's validobject).
func QuotedWords(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			continue
		case '"':
		word:
			n++
			i++
			for i < len(s) && s[i] != '"' {
				i++
			}
			i++
			for ; i < len(s); i++ {
				switch s[i] {
				case ' ':
					continue
				case '"':
					goto word
				}
				return n
			}
			return n
		default:
			return n
		}
	}
	return n
}

// Saturate returns x, or every bit set when x is negative, as a uint64
// (shopspring/decimal's RoundedInteger returns 0xFFFFFFFFFFFFFFFF).
func Saturate(x int) uint64 {
	if x < 0 {
		return 0xFFFFFFFFFFFFFFFF
	}
	return uint64(x)
}

// InRange reports whether x is finite and whether it is below 1.5π, from
// constant operations that mix a float literal with an untyped float
// constant of a compiled package (dustin/go-humanize's FormatFloat tests
// n < (0.0 - math.MaxFloat64)).
func InRange(x float64) (finite, below bool) {
	finite = x <= math.MaxFloat64 && x >= (0.0-math.MaxFloat64)
	return finite, x < 1.5*math.Pi
}

// codeStr8 and codeBin8 are codes held in variables, as
// vmihailenco/msgpack's msgpcode holds its codes.
var codeStr8, codeBin8 byte = 0xd9, 0xc4

// CodeKind classifies c by codes listed in one case, each read from a
// variable (msgpack's bytesLen: case msgpcode.Str8, msgpcode.Bin8:).
func CodeKind(c byte) string {
	switch c {
	case codeStr8, codeBin8:
		return "8"
	case 0:
		return "zero"
	}
	return "other"
}

// CodeClass is CodeKind with the default clause first and a case whose
// list reads through a pointer and has no body.
func CodeClass(c byte, p *byte) string {
	s := "none"
	switch c {
	default:
		s = "other"
	case 1, *p:
	case codeStr8, codeBin8:
		s = "8"
	}
	return s
}

// argKind is a kind of argument, whose name a loop variable shadows in
// ArgScore (expr-lang/expr's parser ranges `for i, arg := range args`
// over its type arg): the typed constants there are written as
// conversions to a type the local name hides.
type argKind byte

const (
	argExpr argKind = 1 << iota
	argPred
)

const argOptional argKind = 1 << 7

// ArgScore counts 100 for each optional argument and 1 for each
// expression among kinds.
func ArgScore(kinds []argKind) (n int) {
	for _, argKind := range kinds {
		if argKind&argOptional == argOptional {
			n += 100
		}
		if argKind&argExpr == argExpr {
			n++
		}
	}
	return n
}
