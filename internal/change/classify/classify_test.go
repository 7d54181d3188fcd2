package classify

import (
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/patcher"
)

const compiledSrc = `package main

type T struct {
	a int
	b string
}

const k = 1

func (t *T) M() int { return t.a }

func f(x int) int { return x + k }
`

// TestClassifyReordered checks that fields moved among the compiled ones
// go live with a note of what still sees the compiled order, with a field
// added or not, and that a tagged type's reorder is refused.
func TestClassifyReordered(t *testing.T) {
	const pkg = "example.com/m"
	tagged := strings.Replace(compiledSrc, "\tb string\n", "\tb string `json:\"b\"`\n", 1)
	const note = "main.go:4:2: fields of T reordered: its values keep the compiled order, which only reflection (fmt's %v, encoding/json) and unsafe see, until a restart"
	for _, tc := range []struct {
		name, compiled, from, to, note, refusal string
	}{
		{"swapped", compiledSrc, "\ta int\n\tb string\n", "\tb string\n\ta int\n", note, ""},
		{"swapped, one added", compiledSrc, "\ta int\n\tb string\n", "\tb string\n\tc bool\n\ta int\n", note, ""},
		{"tagged", tagged, "\ta int\n\tb string `json:\"b\"`\n", "\tb string `json:\"b\"`\n\ta int\n", "",
			"main.go:4:2: fields of T reordered, and its tagged fields are read by reflection (encoding/json and the like), which would see the compiled order: restart to apply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old, err := ParseFileDecls(pkg, "/m/main.go", []byte(tc.compiled))
			if err != nil {
				t.Fatal(err)
			}
			cur, err := ParseFileDecls(pkg, "/m/main.go", []byte(strings.Replace(tc.compiled, tc.from, tc.to, 1)))
			if err != nil {
				t.Fatal(err)
			}
			pl := classify(manifest{}, "/m/main.go", old, cur, nil, map[string]Live{}, noCallers)
			if got := strings.Join(pl.Refusals.Strings(), "\n"); got != tc.refusal {
				t.Errorf("refusals: got %q, want %q", got, tc.refusal)
			}
			if got := strings.Join(pl.Notes.Strings(), "\n"); got != tc.note {
				t.Errorf("notes: got %q, want %q", got, tc.note)
			}
		})
	}
}

// TestClassify checks each row of the classification against one compiled
// file: what applies, what reverts, and the reason of each refusal.
func TestClassify(t *testing.T) {
	const pkg = "example.com/m"
	prog := manifest{
		pkg + ".(*T).M": {Key: pkg + ".(*T).M", Package: pkg, Patchable: true},
		pkg + ".f":      {Key: pkg + ".f", Package: pkg, Patchable: true},
	}
	old, err := ParseFileDecls(pkg, "/m/main.go", []byte(compiledSrc))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, to string
		apply, helpers []string
		refusal        string
	}{
		{"body", "return x + k", "return x + 2*k", []string{"f"}, nil, ""},
		{"parameter renamed", "func f(x int) int { return x + k }", "func f(y int) int { return y + k }", []string{"f"}, nil, ""},
		{"receiver renamed", "func (t *T) M() int { return t.a }", "func (u *T) M() int { return u.a }", []string{"(*T).M"}, nil, ""},
		{"method body", "return t.a }", "return t.a + 1 }", []string{"(*T).M"}, nil, ""},
		{"new function", "return x + k }", "return g(x) }\n\nfunc g(x int) int { return x }", []string{"f"}, []string{"g"}, ""},
		{"function literal", "return x + k }", "return func() int { return x + 2*k }() }", []string{"f"}, nil, ""},
		{"reindent only", "type T struct {\n\ta int", "type T struct {\n\ta   int", nil, nil, ""},
		{"comment in a body", "return x + k }", "return x + k // the sum\n}", nil, nil, ""},
		{"layout of a body", "return t.a }", "\n\n\treturn t.a\n}", nil, nil, ""},
		// Added fields live in the agent's side table; removed ones are
		// checked against their compiled users by the plan (TestPlanFields).
		{"field added", "\tb string\n", "\tb string\n\tc bool\n", nil, nil, ""},
		{"field added first", "\ta int\n", "\tc bool\n\ta int\n", nil, nil, ""},
		{"field removed", "\tb string\n", "", nil, nil, ""},
		{"embedded field added", "\tb string\n", "\tb string\n\tstrings.Builder\n", nil, nil,
			"main.go:6:2: embedded field Builder added to T: its fields and methods would be promoted, which compiled code cannot see: restart to apply"},
		{"field with a tag added", "\tb string\n", "\tb string\n\tC bool `json:\"c\"`\n", nil, nil,
			"main.go:6:2: field C added to T has a tag: compiled code that reads T by reflection (encoding/json and the like) would not see it: restart to apply"},
		{"field tag", "\tb string\n", "\tb string `json:\"b\"`\n", nil, nil, "main.go:5:2: tag of field b of T changed: restart to apply"},
		// Reordered fields: TestClassifyReordered.
		{"field type", "\ta int\n", "\ta int64\n", nil, nil, "main.go:4:2: type of field a of T changed: restart to apply"},
		// Constants are judged by value after the package check (TestLivePatchRefused).
		{"constant", "const k = 1", "const k = 2", nil, nil, ""},
		// New variables and changed initializers are judged once the package
		// is checked (TestPlanVars).
		{"variable", "const k = 1", "const k = 1\n\nvar v = 2", nil, nil, ""},
		{"variable and constant", "const k = 1", "var k = 1", nil, nil, "main.go:8:5: k became a variable: restart to apply"},
		{"blank variable", "const k = 1", "const k = 1\n\nvar _ interface{ M() int } = (*T)(nil)", nil, nil, ""},
		{"new type", "const k = 1", "const k = 1\n\ntype U int", nil, nil, ""},
		{"signature", "func f(x int) int", "func f(x int64) int", nil, nil, "main.go:12:1: signature of f changed and code outside the functions of this file uses it: restart to apply"},
		// A new method is declared with the change (the package check refuses
		// one that an interface may need: TestLivePatchRefused).
		{"new method", "func f(", "func (t T) N() {}\n\nfunc f(", nil, nil, ""},
		{"init", "func f(", "func init() {}\n\nfunc f(", nil, nil, "main.go:12:1: init function changed: restart to apply"},
		{"generic", "func f(", "func h[E any](e E) E { return e }\n\nfunc f(", nil, nil, "main.go:12:1: new generic function h: restart to apply"},
		{"cgo", "package main\n", "package main\n\nimport \"C\"\n", nil, nil, "main.go:1:1: file uses cgo: restart to apply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(compiledSrc, tc.from, tc.to, 1)
			cur, err := ParseFileDecls(pkg, "/m/main.go", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			pl := classify(prog, "/m/main.go", old, cur, nil, map[string]Live{}, noCallers)
			if tc.refusal != "" {
				if len(pl.Refusals) == 0 || pl.Refusals[0].String() != tc.refusal {
					t.Errorf("refusals: got %q, want %q", pl.Refusals.Strings(), tc.refusal)
				}
				return
			}
			if len(pl.Refusals) > 0 {
				t.Fatalf("unexpected refusals %q", pl.Refusals.Strings())
			}
			if got := names(pl.Apply); strings.Join(got, ",") != strings.Join(tc.apply, ",") {
				t.Errorf("apply: got %v, want %v", got, tc.apply)
			}
			if got := names(pl.Helpers); strings.Join(got, ",") != strings.Join(tc.helpers, ",") {
				t.Errorf("helpers: got %v, want %v", got, tc.helpers)
			}
			var wantNotes []string
			if strings.Contains(tc.to, "func()") {
				wantNotes = []string{"main.go:12:28: a function literal in f changed: closures it made before keep their old code"}
			}
			if strings.Join(pl.Notes.Strings(), "\n") != strings.Join(wantNotes, "\n") {
				t.Errorf("notes: got %q, want %q", pl.Notes.Strings(), wantNotes)
			}
		})
	}
}

// TestClassifyRevert checks that a function edited back to its compiled
// text is reverted, and that a prompt patch the file did not touch stays.
func TestClassifyRevert(t *testing.T) {
	const pkg = "example.com/m"
	prog := manifest{pkg + ".f": {Key: pkg + ".f", Package: pkg, Patchable: true}}
	old, _ := ParseFileDecls(pkg, "/m/main.go", []byte(compiledSrc))
	live := map[string]Live{pkg + ".f": {}}
	pl := classify(prog, "/m/main.go", old, old, nil, live, noCallers)
	if strings.Join(pl.Revert, ",") != pkg+".f" {
		t.Errorf("revert: got %v, want [%s.f]", pl.Revert, pkg)
	}
	live[pkg+".f"] = Live{Prompt: true}
	pl = classify(prog, "/m/main.go", old, old, old, live, noCallers)
	if len(pl.Revert) != 0 || len(pl.Apply) != 0 {
		t.Errorf("prompt patch of an untouched function: got revert %v, apply %v", pl.Revert, names(pl.Apply))
	}
}

func names(fns []*FuncDecl) []string {
	var out []string
	for _, f := range fns {
		out = append(out, f.Name)
	}
	return out
}

// noCallers says that every function has a use outside a function.
func noCallers(string) ([]string, bool) { return nil, false }

// manifest is a build of one file whose functions are those of the
// manifest: no other file of the package was compiled.
type manifest map[string]patcher.Function

func (m manifest) Func(key string) (patcher.Function, bool) {
	f, ok := m[key]
	return f, ok
}

func (manifest) CompiledDecls(string) *FileDecls           { return nil }
func (manifest) PackageDecls(string) map[string]*FileDecls { return nil }
func (manifest) Display(key string) string                 { return key }
func (manifest) SameType(_, old, _ string, _ *FileDecls, now string) bool {
	return old == now
}
