package lang

import (
	"strings"
	"sync"
)

// Unexported fields reached through values of compiled code: fields of
// struct types without a name (package variables, nested, behind pointers,
// in maps, in results), and fields of unexported named types reached
// through an unexported field (taking their address, calling pointer
// methods on them).

var replacers = []struct{ r *strings.Replacer }{{strings.NewReplacer("a", "b")}, {strings.NewReplacer("b", "c")}}

// ReplaceAll calls a method through an unexported field of each element
// of a slice of an unnamed struct type.
func ReplaceAll(s string) string {
	for i := range replacers {
		s = replacers[i].r.Replace(s)
	}
	return s
}

var tally struct {
	mu    sync.Mutex
	n     int
	names []string
}

// Tally locks a mutex held in an unexported field of a package variable of
// an unnamed struct type, then writes, appends to and increments its
// fields.
func Tally(name string) (int, []string) {
	tally.mu.Lock()
	defer tally.mu.Unlock()
	tally.n++
	tally.names = append(tally.names, name)
	p := &tally.n
	*p += 10
	return tally.n, append([]string(nil), tally.names...)
}

var limits = struct {
	inner struct {
		max  int
		seen map[string]bool
	}
	ptr *struct{ hits int }
}{ptr: &struct{ hits int }{}}

// Limit reads and writes fields of a nested unnamed struct type, through
// a pointer and through a map field.
func Limit(key string) (int, bool, int) {
	if limits.inner.seen == nil {
		limits.inner.seen = map[string]bool{}
	}
	limits.inner.max = len(key)
	was := limits.inner.seen[key]
	limits.inner.seen[key] = true
	limits.ptr.hits++
	return limits.inner.max, was, limits.ptr.hits
}

// ResetHits sets a field whose type is an unnamed struct type with an
// unexported field. It stays compiled: the interpreter cannot hold such a
// value as compiled code does.
func ResetHits() { limits.ptr = newHits() }

// newHits makes a value of an unnamed struct type with an unexported
// field. It stays compiled: the interpreter's struct type for the literal
// has other field names, and is not the compiled function's result type.
func newHits() *struct{ hits int } { return &struct{ hits int }{} }

var byName = map[string]struct{ size int }{"a": {1}, "bb": {2}}

// pair stays compiled, as newHits does.
func pair() struct{ a, b string } { return struct{ a, b string }{"x", "y"} }

// Sizes reads unexported fields of values that are not addressable: a map
// element and a call's result.
func Sizes() (int, int, string) {
	return byName["a"].size, byName["bb"].size, pair().a + pair().b
}

type lexCursor struct {
	tok  lexToken
	seen []lexToken
}

type lexToken struct {
	text string
	pos  int
}

func (t *lexToken) reset() { t.text, t.pos = "", 0 }

// Advance writes the fields of an unexported field of an unexported named
// type, takes its address and calls a pointer method on it.
func Advance(c *lexCursor, text string) (int, string) {
	c.seen = append(c.seen, c.tok)
	c.tok.reset()
	c.tok.text = text
	c.tok.pos += len(c.seen)
	t := &c.tok
	t.pos *= 10
	return c.tok.pos, c.seen[len(c.seen)-1].text
}

type attrs struct {
	name string
	on   bool
}

func attrsOf(n int) attrs { return attrs{name: strings.Repeat("x", n), on: n > 0} }

// AttrName reads unexported fields of a call's result.
func AttrName(n int) (string, bool) { return attrsOf(n).name, attrsOf(n).on }
