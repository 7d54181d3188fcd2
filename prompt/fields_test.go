package prompt

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// fieldsSrc is a package with the field selections fields.go rewrites (the
// fixture integration/testdata/fidelity/lang/fields.go, which runs them).
const fieldsSrc = `package wa

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
`

// TestRewriteFields checks the forms that selections of unexported fields
// take: through reflect, in one go along nested fields, for struct types
// without a name (from the value's address when it has one, else from a
// copy); through the accessor's pointer itself where an address is taken.
func TestRewriteFields(t *testing.T) {
	prog, file := loadProgram(t, fieldsSrc)
	const reflectPtr = "lp_reflect.NewAt(lpV.Type(), lpV.Addr().UnsafePointer()).Interface()"
	tests := map[string][]string{
		"ReplaceAll": {"lpV = lpV.Field(0); return " + reflectPtr + ".(**strings.Replacer) }(lp_reflect.ValueOf(&(*lpAddr_replacers)[i]).Elem())).Replace(s)"},
		"Tally": {".(*sync.Mutex) }(lp_reflect.ValueOf(lpAddr_tally).Elem())).Lock()",
			"\tp := func(lpV lp_reflect.Value) *int {"},
		"Limit": {"lpV = lpV.Field(0).Field(1); return " + reflectPtr + ".(*map[string]bool) }(lp_reflect.ValueOf(lpAddr_limits).Elem()))[key] = true",
			"lpV = lpV.Field(1).Elem().Field(0); return " + reflectPtr + ".(*int) }(lp_reflect.ValueOf(lpAddr_limits).Elem()))++"},
		"Sizes":    {"lpC := lp_reflect.New(lpV.Type()).Elem(); lpC.Set(lpV); lpV = lpC", "}(lp_reflect.ValueOf((*lpAddr_byName)[\"a\"])))", "}(lp_reflect.ValueOf(pair())))"},
		"AttrName": {"(*lpField_attrs_name(func(lpC attrs) *attrs { return &lpC }(attrsOf(n))))"},
		"Advance": {"lpMethod_lexToken_reset(lpField_lexCursor_tok(c))()", "(*lpField_lexToken_text(lpField_lexCursor_tok(c))) = text",
			"t := lpField_lexCursor_tok(c)"},
	}
	var keys []string
	for name := range tests {
		keys = append(keys, "example.com/wa."+name)
	}
	ch, err := prog.rewriteChange(file, []byte(fieldsSrc), keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range tests {
		src := ch.Funcs["example.com/wa."+name].Source
		for _, w := range want {
			if !strings.Contains(src, w) {
				t.Errorf("%s: rewritten source lacks %q:\n%s", name, w, src)
			}
		}
		for _, n := range []string{"&(*lpField_lexCursor_tok(c))", "&(*lpAddr_tally)", "&(*lpAddr_limits)", "&(*lpAddr_limits).inner"} {
			if strings.Contains(src, n) {
				t.Errorf("%s: rewritten source takes the address of a dereference, %s:\n%s", name, n, src)
			}
		}
	}
	if imports := ch.ImportsOf("example.com/wa.Tally"); !slices.Contains(imports, `lp_reflect "reflect"`) {
		t.Errorf("Tally: imports %v lack lp_reflect \"reflect\"", imports)
	}
}

// TestRewriteRefusesUnnamedStructValue checks that a selection of a field
// whose value has a type the interpreter cannot hold as compiled code does
// is refused, where the field is selected.
func TestRewriteRefusesUnnamedStructValue(t *testing.T) {
	prog, file := loadProgram(t, fieldsSrc)
	_, err := prog.rewriteChange(file, []byte(fieldsSrc), []string{"example.com/wa.ResetHits"}, nil)
	var ie *InputError
	if !errors.As(err, &ie) || len(ie.Msgs) == 0 || !strings.HasPrefix(ie.Msgs[0], "wa.go:68:") || !strings.Contains(ie.Msgs[0], "field ptr of a struct type without a name has type *struct{hits int}") {
		t.Errorf("ResetHits: got %v, want an input error at wa.go:68 naming field ptr and its type", err)
	}
}
