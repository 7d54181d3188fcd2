package change

import (
	"context"
	"errors"
	"go/types"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/testenv"
)

// genericSrc is a package that uses generic code of its own and of std.
const genericSrc = `package gen

import (
	"cmp"
	"maps"
	"slices"
	"unique"
)

func keysOf[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

type Box[T any] struct {
	v T
	N int
}

func (b *Box[T]) get() T { return b.v }

func Names(m map[string]int) []string { return keysOf(m) }

func Sorted(m map[string]int) []string { return slices.Sorted(maps.Keys(m)) }

func Unbox(b *Box[int]) int { return b.get() + b.v + b.N }

func Local() int {
	type n int
	xs := []n{2, 1}
	slices.Sort(xs)
	find := slices.Index[[]n, n]
	return find(xs, 1)
}

func Handle() unique.Handle[string] { return unique.Make("x") }
`

// genericUtil is a second file of package gen.
const genericUtil = `package gen

var W = 1

func pick[T any](first bool, a, b T) T {
	if first {
		return a
	}
	return b
}

func twice[T any](x T) []T { return []T{pick(true, x, x), pick(false, x, x)} }

func idw[W any](w W) W { return w }

func Uses() (int, []string) { return pick(true, 1, 2), twice("a") }
`

// genericProgram loads genericSrc as a module in a temporary directory, as
// the builder loads the user's packages, and returns its program and the
// file's path.
func genericProgram(t *testing.T) (*Program, string) {
	t.Helper()
	fset, pkg, dir := testenv.LoadModule(t, map[string]string{"go.mod": "module example.com/gen\n\ngo 1.26\n", "gen.go": genericSrc, "util.go": genericUtil})
	prog, err := newProgram(context.Background(), &patcher.Result{Fset: fset, Packages: []*packages.Package{pkg}})
	if err != nil {
		t.Fatal(err)
	}
	return prog, filepath.Join(dir, "gen.go")
}

// instanceName returns the builder's symbol of the instantiation of the
// object name of package path with targs, in the table of package gen.
func instanceName(t *testing.T, prog *Program, path, name string, targs ...types.Type) string {
	t.Helper()
	self := prog.pkgs["example.com/gen"]
	obj := prog.pkgs[path].Scope().Lookup(name)
	s, ok := patcher.InstanceName(self, obj, targs)
	if !ok || !prog.instanceNames(self.Path())[s] {
		t.Fatalf("%s.%s%v: no instance symbol in the table (%q)", path, name, targs, s)
	}
	return s
}

// TestRewriteInstances checks that references to instantiations the build
// has become their symbols, in bodies and signatures, with the accessors
// of an instantiated type's unexported members, and that an instantiation
// of std generic code the build cannot hold calls the agent's interpreted
// implementation, as a call and as a value.
func TestRewriteInstances(t *testing.T) {
	prog, file := genericProgram(t)
	str, integer := types.Typ[types.String], types.Typ[types.Int]
	mapSI := types.NewMap(str, integer)
	box := instanceName(t, prog, "example.com/gen", "Box", integer)
	ch, err := prog.rewriteChange(file, []byte(genericSrc), []string{"example.com/gen.Names", "example.com/gen.Sorted", "example.com/gen.Unbox", "example.com/gen.Local"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string][]string{
		"Names":  {instanceName(t, prog, "example.com/gen", "keysOf", str, integer) + "(m)"},
		"Sorted": {instanceName(t, prog, "slices", "Sorted", str) + "(" + instanceName(t, prog, "maps", "Keys", mapSI, str, integer) + "(m))"},
		"Unbox": {"func Unbox(b *" + box + ") int",
			"lpMethod_" + box + "_get(b)()", "(*lpField_" + box + "_v(b))", "b.N"},
		"Local": {"lp_std.Slices_Sort[[]n, n](xs)",
			"find := func(lpA0 []n, lpA1 n) (int) { return lp_std.Slices_Index[[]n, n](lpA0, lpA1) }"},
	} {
		rep := ch.Funcs["example.com/gen."+key]
		if rep == nil {
			t.Errorf("%s: no replacement", key)
			continue
		}
		for _, w := range want {
			if !strings.Contains(rep.Source, w) {
				t.Errorf("%s: rewritten source lacks %q:\n%s", key, w, rep.Source)
			}
		}
	}
}

// editNames returns genericSrc with Names's body replaced.
func editNames(body string) string {
	return strings.Replace(genericSrc, "func Names(m map[string]int) []string { return keysOf(m) }", "func Names(m map[string]int) []string { "+body+" }", 1)
}

// TestRewriteInterpretsGenericsOfThePackage checks that a change calling a
// compiled generic function of its package at type arguments the build
// does not use gets an interpreted copy of it, and of the generic
// functions the copy needs, as helpers, each rewritten (calls inside
// without type arguments, std generics through the agent's inference
// twins), and calls it with explicit type arguments, as a call and as a
// value.
func TestRewriteInterpretsGenericsOfThePackage(t *testing.T) {
	prog, file := genericProgram(t)
	for _, tt := range []struct {
		body    string
		call    string
		helpers []string
	}{
		{"_ = keysOf(map[int]bool{}); return nil", "_ = keysOf[int, bool](map[int]bool{})",
			[]string{"func keysOf[K cmp.Ordered, V any](m map[K]V) []K {", "lp_std.Slices_Sort_I(keys)"}},
		{"_ = twice(1.5); return nil", "_ = twice[float64](1.5)",
			[]string{"func twice[T any](x T) []T { return []T{pick(true, x, x), pick(false, x, x)} }", "func pick[T any](first bool, a, b T) T {"}},
		{"f := keysOf[int, bool]; _ = f; return nil", "f := func(lpA0 map[int]bool) ([]int) { return keysOf[int, bool](lpA0) }",
			[]string{"func keysOf[K cmp.Ordered, V any]"}},
	} {
		ch, err := prog.rewriteChange(file, []byte(editNames(tt.body)), []string{"example.com/gen.Names"}, nil)
		if err != nil {
			t.Errorf("%s: %v", tt.body, err)
			continue
		}
		if src := ch.Funcs["example.com/gen.Names"].Source; !strings.Contains(src, tt.call) {
			t.Errorf("%s: rewritten source lacks %q:\n%s", tt.body, tt.call, src)
		}
		all := strings.Join(ch.Helpers, "\n")
		for _, h := range tt.helpers {
			if !strings.Contains(all, h) {
				t.Errorf("%s: helpers lack %q:\n%s", tt.body, h, all)
			}
		}
	}
}

// TestRewriteRefusesMissingInstances checks that an edit instantiating
// compiled generic code at type arguments the build does not use, where
// neither the agent nor an interpreted copy can stand in, is refused with
// the instantiation named and its position.
func TestRewriteRefusesMissingInstances(t *testing.T) {
	prog, file := genericProgram(t)
	for _, tt := range []struct{ body, want string }{
		{"var b Box[string]; _ = b.N; return nil", "gen.go:26:47: Box[string]: the build does not have this instantiation (yaegi cannot instantiate compiled generic types)"},
		{"_ = unique.Make(1); return nil", "gen.go:26:45: unique.Make[int]: the build does not have this instantiation and the interpreter has no implementation of unique.Make"},
		{"_ = idw(1.5); return nil", "gen.go:26:45: idw[float64]: its type parameter W has the name of a package-level W"},
	} {
		_, err := prog.rewriteChange(file, []byte(editNames(tt.body)), []string{"example.com/gen.Names"}, nil)
		var ie diag.Diagnostics
		if !errors.As(err, &ie) || len(ie) == 0 || !strings.HasPrefix(ie[0].String(), tt.want) {
			t.Errorf("%s: got %v, want an input error %q", tt.body, err, tt.want)
		}
	}
}
