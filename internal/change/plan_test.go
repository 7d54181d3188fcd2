package change

import (
	"context"
	"errors"
	"go/ast"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/change/classify"
	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/testenv"
)

// planFiles are the files of the package the planning tests change.
var planFiles = map[string]string{
	"a.go": `package p

import "strings"

func g(x int) int { return x + 1 }

func spare() string { return "spare" }

func Use(r string) string { return strings.TrimSpace(r) }

func Limit() int { return limit }
`,
	"b.go": `package p

func F() int { return g(1) }

func H(_ int) int { return 2 }

var limit = 10

var spareLimit = 1
`,
	"s.go": `package p

type S struct {
	n   int
	old string
}

func (s *S) Hit() int { s.n++; return s.n }

func Old(s *S) string { return s.old }

func Twin(s *S) S { return S{n: s.n} }
`,
}

// planChecker builds a checker whose build is the package of planFiles,
// written to a temporary directory, every function patchable, and returns
// it with the directory.
func planChecker(t *testing.T) (*Checker, string) {
	t.Helper()
	return packageChecker(t, planFiles)
}

// packageChecker builds a checker whose build is the package of the files
// of pkgFiles (by base name), written to a temporary directory with a
// go.mod, every function patchable, and returns it with the directory.
func packageChecker(t *testing.T, pkgFiles map[string]string) (*Checker, string) {
	t.Helper()
	files := map[string]string{"go.mod": "module example.com/p\n\ngo 1.26\n"}
	for name, src := range pkgFiles {
		files[name] = src
	}
	fset, pkg, dir := testenv.LoadModule(t, files)
	pkgs := []*packages.Package{pkg}
	m := &patcher.Manifest{}
	for _, f := range pkgs[0].Syntax {
		name := fset.File(f.Pos()).Name()
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				m.Functions = append(m.Functions, patcher.Function{Key: patcher.FuncKey(pkgs[0].PkgPath, fd), Package: pkgs[0].PkgPath,
					File: name, Line: fset.Position(fd.Pos()).Line, Patchable: true})
			}
		}
	}
	k := NewChecker(nil)
	k.UseBuild(&patcher.Result{Manifest: m, Fset: fset, Packages: pkgs})
	return k, dir
}

// edit returns the text of a file of planFiles with one replacement.
func edit(t *testing.T, name, from, to string) []byte {
	t.Helper()
	if !strings.Contains(planFiles[name], from) {
		t.Fatalf("%s has no %q", name, from)
	}
	return []byte(strings.Replace(planFiles[name], from, to, 1))
}

// planSave plans a save of saved with the files of files (by base name), no
// live patches and nothing seen before.
func planSave(t *testing.T, k *Checker, dir, saved string, files map[string][]byte) (*Plan, error) {
	t.Helper()
	sv := Save{File: filepath.Join(dir, saved), Files: map[string][]byte{}}
	for name, src := range files {
		sv.Files[filepath.Join(dir, name)] = src
	}
	return k.PlanSave(context.Background(), sv)
}

// checkPlan checks a plan's outcome: the error wanted (a diagnostic's
// text), or what it applies and its notes. It reports whether the plan
// was made, for the caller's further checks.
func checkPlan(t *testing.T, pl *Plan, err error, wantErr, wantApply, wantNote string) bool {
	t.Helper()
	if wantErr != "" {
		var ds diag.Diagnostics
		if !errors.As(err, &ds) || ds[0].String() != wantErr {
			t.Fatalf("got %v, want %q", err, wantErr)
		}
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := applied(pl); got != wantApply {
		t.Errorf("applied %q, want %q", got, wantApply)
	}
	if got := strings.Join(pl.Notes.Strings(), "\n"); got != wantNote {
		t.Errorf("notes %q, want %q", got, wantNote)
	}
	return true
}

// applied returns the names of what a plan applies.
func applied(pl *Plan) string {
	var names []string
	for _, p := range pl.Apply {
		names = append(names, strings.TrimPrefix(p.Name, "example.com/p."))
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

// TestPlanPackage checks that the files of a package that a save takes
// are planned together: a helper added in one file and used from another
// applies with both, and fails to type-check without the file that
// declares it; a signature change applies when its compiled callers in
// another file are patched with it. A renamed parameter is no signature
// change; a removed function stays compiled, unused, unless compiled code
// left unpatched uses it; a new file joins its package.
func TestPlanPackage(t *testing.T) {
	k, dir := planChecker(t)
	newHelper := edit(t, "a.go", "func spare()", "func parse(s string) int { return len(s) }\n\nfunc spare()")
	useHelper := edit(t, "b.go", "return g(1)", "return g(parse(\"ab\"))")
	for _, tc := range []struct {
		name, saved      string
		files            map[string][]byte
		apply, err, note string
	}{
		{"helper first", "a.go", map[string][]byte{"a.go": newHelper}, "", "", ""},
		{"helper, then its user", "b.go", map[string][]byte{"a.go": newHelper, "b.go": useHelper}, "F", "", ""},
		{"user alone", "b.go", map[string][]byte{"b.go": useHelper}, "", "b.go:3:25: undefined: parse", ""},
		{"signature, callers unpatched", "a.go", map[string][]byte{"a.go": edit(t, "a.go", "func g(x int) int", "func g(x, y int) int")}, "",
			"a.go:5:1: signature of g changed and its compiled caller F is not patched: edit those functions too, or restart to apply", ""},
		{"signature with its callers", "a.go", map[string][]byte{"a.go": edit(t, "a.go", "func g(x int) int", "func g(x, y int) int"),
			"b.go": edit(t, "b.go", "return g(1)", "return g(1, 2)")}, "F", "", ""},
		{"signature with its caller removed", "a.go", map[string][]byte{"a.go": edit(t, "a.go", "func g(x int) int", "func g(x, y int) int"),
			"b.go": edit(t, "b.go", "func F() int { return g(1) }\n", "")}, "", "", "b.go:1:9: F removed: its compiled body stays in the program, unused"},
		{"parameter renamed", "b.go", map[string][]byte{"b.go": edit(t, "b.go", "func H(_ int) int { return 2 }", "func H(n int) int { return n }")}, "H", "", ""},
		{"removed, unused", "a.go", map[string][]byte{"a.go": edit(t, "a.go", "func spare() string { return \"spare\" }", "")}, "", "",
			"a.go:1:9: spare removed: its compiled body stays in the program, unused"},
		{"removed, used", "a.go", map[string][]byte{"a.go": edit(t, "a.go", "func g(x int) int { return x + 1 }", "")}, "",
			"a.go:1:9: g removed and compiled code uses it (example.com/p.F): edit those functions too, or restart to apply", ""},
		{"removed with its user's use", "a.go", map[string][]byte{"a.go": edit(t, "a.go", "func g(x int) int { return x + 1 }", ""),
			"b.go": edit(t, "b.go", "return g(1)", "return 2")}, "F", "", "a.go:1:9: g removed: its compiled body stays in the program, unused"},
		{"new file", "c.go", map[string][]byte{"c.go": []byte("package p\n\nfunc K() int { return g(3) }\n")}, "", "", ""},
		{"new file and its user", "c.go", map[string][]byte{"c.go": []byte("package p\n\nfunc K() int { return g(3) }\n"),
			"b.go": edit(t, "b.go", "return g(1)", "return K()")}, "F", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := planSave(t, k, dir, tc.saved, tc.files)
			if !checkPlan(t, pl, err, tc.err, tc.apply, tc.note) {
				return
			}
		})
	}
}

// TestPlanImportOfLivePatch saves an import used by one function, then a
// change of another function of the file: the import, used only by the
// live patch that the second save leaves alone, is no error (issue 13:
// `"strings" imported and not used` until a restart).
func TestPlanImportOfLivePatch(t *testing.T) {
	k, dir := planChecker(t)
	first := edit(t, "b.go", "package p\n", "package p\n\nimport \"strings\"\n")
	first = []byte(strings.Replace(string(first), "return g(1)", "return g(strings.Count(\"aa\", \"a\"))", 1))
	pl, err := planSave(t, k, dir, "b.go", map[string][]byte{"b.go": first})
	if err != nil {
		t.Fatal(err)
	}
	if got := applied(pl); got != "F" {
		t.Fatalf("first save applied %q, want F", got)
	}
	second := []byte(strings.Replace(string(first), "return 2", "return 3", 1))
	file := filepath.Join(dir, "b.go")
	sv := Save{File: file, Files: map[string][]byte{file: second}, Prev: map[string][]byte{file: first},
		Live: map[string]classify.Live{pl.Apply[0].Key: {Text: pl.Apply[0].Text}}}
	pl, err = k.PlanSave(context.Background(), sv)
	if err != nil {
		t.Fatalf("second save: %v", err)
	}
	if got := applied(pl); got != "H" {
		t.Errorf("second save applied %q, want H", got)
	}
}

// TestPlanRemovedUsedByLivePatch checks that a function removed in one
// save may be used by a function an earlier save made live: that user
// runs its patched body, which no longer calls it.
func TestPlanRemovedUsedByLivePatch(t *testing.T) {
	k, dir := planChecker(t)
	b := edit(t, "b.go", "return g(1)", "return 2")
	a := []byte(strings.Replace(planFiles["a.go"], "func g(x int) int { return x + 1 }\n", "", 1))
	sv := Save{File: filepath.Join(dir, "a.go"), Files: map[string][]byte{filepath.Join(dir, "a.go"): a},
		Live: map[string]classify.Live{"example.com/p.F": {Text: "func F() int { return 2 }"}}}
	// b.go as live: its text on disk is the one the earlier save applied.
	sv.Files[filepath.Join(dir, "b.go")] = b
	sv.Prev = map[string][]byte{filepath.Join(dir, "b.go"): b}
	pl, err := k.PlanSave(context.Background(), sv)
	if err != nil {
		t.Fatalf("removing g that only the live F used: %v", err)
	}
	if got, want := strings.Join(pl.Notes.Strings(), "\n"), "a.go:1:9: g removed: its compiled body stays in the program, unused"; got != want {
		t.Errorf("notes %q, want %q", got, want)
	}
}

// TestPlanCallerFitsNewSignature checks that a signature change whose
// compiled caller in a file of the change still fits it (a variadic
// parameter added) patches that caller with its own text, and refuses a
// caller in a file the change does not touch.
func TestPlanCallerFitsNewSignature(t *testing.T) {
	files := map[string]string{
		"a.go": "package p\n\nfunc g(x int) int { return x + 1 }\n\nfunc Twice() int { return g(2) }\n",
		"b.go": "package p\n\nfunc F() int { return g(1) }\n",
	}
	k, dir := packageChecker(t, files)
	a := []byte(strings.Replace(files["a.go"], "func g(x int) int { return x + 1 }", "func g(x int, more ...int) int { return x + len(more) }", 1))
	_, err := planSave(t, k, dir, "a.go", map[string][]byte{"a.go": a})
	var ds diag.Diagnostics
	if want := "its compiled caller F is not patched"; !errors.As(err, &ds) || !strings.Contains(ds[0].String(), want) {
		t.Fatalf("caller in b.go, untouched: got %v, want a refusal naming F", err)
	}
	b := []byte(strings.Replace(files["b.go"], "return g(1)", "return g(1, 2)", 1))
	pl, err := planSave(t, k, dir, "a.go", map[string][]byte{"a.go": a, "b.go": b})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := applied(pl), "F,Twice"; got != want {
		t.Errorf("applied %q, want %q (Twice unchanged, patched to call the new g)", got, want)
	}
}

// TestPlanResignedCaller checks that a function whose signature changed,
// called only by another whose signature changed too, is a helper, and
// that the caller is not patched with its new text: a compiled function
// of another signature cannot take it (go-smtp v0.20.0: NewClient and
// NewClientLMTP, which calls it).
func TestPlanResignedCaller(t *testing.T) {
	files := map[string]string{
		"a.go": "package p\n\nfunc g(x int) int { return x + 1 }\n\nfunc h(x int) int { return g(x) }\n\nfunc F() int { return h(1) }\n",
	}
	k, dir := packageChecker(t, files)
	a := strings.Replace(files["a.go"], "func g(x int) int { return x + 1 }", "func g(x, y int) int { return x + y }", 1)
	a = strings.Replace(a, "func h(x int) int { return g(x) }", "func h(x, y int) int { return g(x, y) }", 1)
	a = strings.Replace(a, "return h(1)", "return h(1, 2)", 1)
	pl, err := planSave(t, k, dir, "a.go", map[string][]byte{"a.go": []byte(a)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := applied(pl), "F"; got != want {
		t.Errorf("applied %q, want %q (g and h helpers of F)", got, want)
	}
}

// TestPlanFieldRemovedResignedUser checks that a field removed whose only
// compiled user is a function whose signature the change sets (a helper
// of its patched callers, its compiled body dead) goes live.
func TestPlanFieldRemovedResignedUser(t *testing.T) {
	files := map[string]string{
		"a.go": "package p\n\ntype T struct{ a, b int }\n\nfunc g(t *T) int { return t.a }\n\nfunc F() int { return g(&T{b: 1}) }\n",
	}
	k, dir := packageChecker(t, files)
	a := strings.Replace(files["a.go"], "type T struct{ a, b int }", "type T struct{ b int }", 1)
	a = strings.Replace(a, "func g(t *T) int { return t.a }", "func g(t *T, x int) int { return t.b + x }", 1)
	a = strings.Replace(a, "return g(&T{b: 1})", "return g(&T{b: 1}, 2)", 1)
	pl, err := planSave(t, k, dir, "a.go", map[string][]byte{"a.go": []byte(a)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := applied(pl), "F"; got != want {
		t.Errorf("applied %q, want %q", got, want)
	}
}

// TestPlanConstLiveReader checks that a reader of a changed constant that
// a save made live, with the constant as it is now, need not be edited
// again at the next save of the package (go-smtp v0.20.0: Dial, native,
// reads defaultTimeout), and is patched again, as it is, when the
// constant changes again.
func TestPlanConstLiveReader(t *testing.T) {
	files := map[string]string{"a.go": "package p\n\nconst limit = 1\n\nfunc F() int { return limit }\n\nfunc G() int { return 0 }\n"}
	k, dir := packageChecker(t, files)
	file := filepath.Join(dir, "a.go")
	first := strings.Replace(strings.Replace(files["a.go"], "limit = 1", "limit = 2", 1), "return limit }", "return limit + 0 }", 1)
	pl, err := k.PlanSave(context.Background(), Save{File: file, Files: map[string][]byte{file: []byte(first)}})
	if err != nil {
		t.Fatal(err)
	}
	live := map[string]classify.Live{pl.Apply[0].Key: {Text: pl.Apply[0].Text}}
	second := strings.Replace(first, "return 0", "return 1", 1)
	pl, err = k.PlanSave(context.Background(), Save{File: file, Files: map[string][]byte{file: []byte(second)}, Prev: map[string][]byte{file: []byte(first)}, Live: live})
	if err != nil {
		t.Fatalf("second save, the constant as live: %v", err)
	}
	if got := applied(pl); got != "G" {
		t.Errorf("second save applied %q, want G", got)
	}
	third := strings.Replace(second, "limit = 2", "limit = 3", 1)
	pl, err = k.PlanSave(context.Background(), Save{File: file, Files: map[string][]byte{file: []byte(third)}, Prev: map[string][]byte{file: []byte(second)}, Live: live})
	if err != nil || applied(pl) != "F,G" {
		t.Errorf("the constant changed again: got %v, want F patched again with G", err)
	}
}

// TestPlanUnchangedUsers checks that compiled functions a save leaves
// alone, but that use a declaration it changes, are patched as they are
// when a file of the save declares them, as a rebuild compiles them anew
// (go-chi/httprate v0.9.0: variable incrementKey becomes a constant that
// WithIncrement and getIncrement read), with a note each; one that no
// file of the save declares is still to be edited.
func TestPlanUnchangedUsers(t *testing.T) {
	files := map[string]string{
		"a.go": "package p\n\nvar key = &struct{}{}\n\nconst limit = 1\n\nfunc Key() any { return key }\n\nfunc Limit() int { return limit }\n\nfunc G() int { return 0 }\n",
		"b.go": "package p\n\nfunc Twice() int { return 2 * limit }\n",
	}
	k, dir := packageChecker(t, files)
	for _, tc := range []struct {
		name, from, to, apply, err string
		notes                      []string
	}{
		{"a variable becomes a constant", "var key = &struct{}{}", "type ctxKey int\n\nconst key ctxKey = 0", "G,Key", "",
			[]string{"a.go:9:1: Key is patched as it is: it uses what the change changes (variable key removed), as a rebuild would compile it anew",
				"a.go:1:9: variable key removed: the compiled variable stays in the program, unused"}},
		{"a constant's readers in the file and in another", "limit = 1", "limit = 2", "", "a.go:5:7: constant limit changed and compiled code reads it (example.com/p.Limit, example.com/p.Twice): edit those functions too, or restart to apply", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(strings.Replace(files["a.go"], tc.from, tc.to, 1), "return 0", "return 1", 1)
			pl, err := planSave(t, k, dir, "a.go", map[string][]byte{"a.go": []byte(src)})
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("got %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := applied(pl); got != tc.apply {
				t.Errorf("applied %q, want %q", got, tc.apply)
			}
			if got := pl.Notes.Strings(); !slices.Equal(got, tc.notes) {
				t.Errorf("notes %q, want %q", got, tc.notes)
			}
		})
	}
	src := strings.Replace(files["a.go"], "limit = 1", "limit = 2", 1)
	pl, err := planSave(t, k, dir, "a.go", map[string][]byte{"a.go": []byte(src), "b.go": []byte(files["b.go"])})
	if err != nil || applied(pl) != "Limit,Twice" {
		t.Errorf("a constant's readers in the files of the save: got %v, want Limit and Twice patched as they are", err)
	}
	// The next save of the package: Key, live with its compiled text, is
	// not reverted to its compiled body, which reads the removed variable.
	file := filepath.Join(dir, "a.go")
	first := strings.Replace(files["a.go"], "var key = &struct{}{}", "type ctxKey int\n\nconst key ctxKey = 0", 1)
	pl, err = k.PlanSave(context.Background(), Save{File: file, Files: map[string][]byte{file: []byte(first)}})
	if err != nil {
		t.Fatal(err)
	}
	live := map[string]classify.Live{}
	for _, p := range pl.Apply {
		live[p.Key] = classify.Live{Text: p.Text}
	}
	second := strings.Replace(first, "return 0", "return 2", 1)
	pl, err = k.PlanSave(context.Background(), Save{File: file, Files: map[string][]byte{file: []byte(second)}, Prev: map[string][]byte{file: []byte(first)}, Live: live})
	if err != nil || applied(pl) != "G,Key" || len(pl.Revert) > 0 {
		t.Errorf("the next save: got %v, applied %q, reverted %q; want G and Key applied, nothing reverted", err, applied(pl), pl.Revert)
	}
}

// TestPlanRetypedVar checks that a compiled variable whose declared type
// changes becomes a new variable of the patched code when every compiled
// user is patched (chi v5.2.4: reqid from uint64 to atomic.Uint64), and is
// refused while one is not.
func TestPlanRetypedVar(t *testing.T) {
	files := map[string]string{
		"a.go": "package p\n\nimport \"sync/atomic\"\n\nvar n uint64\n\nfunc Next() uint64 { return atomic.AddUint64(&n, 1) }\n",
		"b.go": "package p\n\nfunc Peek() uint64 { return n }\n",
	}
	k, dir := packageChecker(t, files)
	a := strings.Replace(files["a.go"], "var n uint64", "var n atomic.Uint64", 1)
	a = strings.Replace(a, "atomic.AddUint64(&n, 1)", "n.Add(1)", 1)
	_, err := planSave(t, k, dir, "a.go", map[string][]byte{"a.go": []byte(a)})
	if want := "type of variable n changed (uint64 to sync/atomic.Uint64) and compiled code uses it (example.com/p.Peek)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Peek unpatched: got %v, want %q", err, want)
	}
	b := strings.Replace(files["b.go"], "return n", "return n.Load()", 1)
	pl, err := planSave(t, k, dir, "a.go", map[string][]byte{"a.go": []byte(a), "b.go": []byte(b)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := applied(pl), "Next,Peek"; got != want {
		t.Errorf("applied %q, want %q", got, want)
	}
	if len(pl.Vars) != 1 || pl.Vars[0].Name != "n" {
		t.Errorf("Vars = %+v, want n, made anew", pl.Vars)
	}
	if notes := strings.Join(pl.Notes.Strings(), "\n"); !strings.Contains(notes, "patched code uses a new variable") {
		t.Errorf("notes %q, want the new variable's", notes)
	}
}

// TestPlanResignedMethod checks that a method whose signature changes goes
// live as a method the change adds when every compiled caller is patched
// (chi v5.0.10: (*Mux).MethodNotAllowedHandler gains a variadic
// parameter), and is refused when an interface of the program that the
// type implements has a method of that name: compiled code may call the
// compiled one through it.
func TestPlanResignedMethod(t *testing.T) {
	files := map[string]string{
		"a.go": "package p\n\ntype T struct{ n int }\n\nfunc (t *T) M() int { return t.n }\n\nfunc F() int { return (&T{}).M() }\n",
	}
	k, dir := packageChecker(t, files)
	a := strings.Replace(files["a.go"], "func (t *T) M() int { return t.n }", "func (t *T) M(more ...int) int { return t.n + len(more) }", 1)
	a = strings.Replace(a, "(&T{}).M()", "(&T{}).M(1, 2)", 1)
	pl, err := planSave(t, k, dir, "a.go", map[string][]byte{"a.go": []byte(a)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := applied(pl), "F"; got != want {
		t.Errorf("applied %q, want %q", got, want)
	}
	if want := []string{"(*T).M"}; !slices.Equal(pl.NewMethods, want) {
		t.Errorf("NewMethods = %q, want %q", pl.NewMethods, want)
	}
	files["b.go"] = "package p\n\ntype Mer interface{ M() int }\n"
	k, dir = packageChecker(t, files)
	_, err = planSave(t, k, dir, "a.go", map[string][]byte{"a.go": []byte(a)})
	if want := "signature of method M changed and compiled T implements example.com/p.Mer"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("with interface Mer: got %v, want %q", err, want)
	}
}
