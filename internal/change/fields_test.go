package change

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/change/diag"
)

// fieldsSrc is a package with what fields.go rewrites: the fixture
// integration/testdata/fidelity/lang/fields.go (which runs it natively and
// repatched), read as package wa.
var fieldsSrc = fixtureSource("fields.go")

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
	var ie diag.Diagnostics
	if !errors.As(err, &ie) || len(ie) == 0 || !strings.HasPrefix(ie[0].String(), "wa.go:68:") || !strings.Contains(ie[0].String(), "field ptr of a struct type without a name has type *struct{hits int}") {
		t.Errorf("ResetHits: got %v, want an input error at wa.go:68 naming field ptr and its type", err)
	}
}

// fixtureSource returns a file of the fidelity fixture package lang, its
// package clause made "package wa".
func fixtureSource(name string) string {
	b, err := os.ReadFile(filepath.Join("..", "..", "integration", "testdata", "fidelity", "lang", name))
	if err != nil {
		panic(err)
	}
	return strings.Replace(string(b), "package lang", "package wa", 1)
}
