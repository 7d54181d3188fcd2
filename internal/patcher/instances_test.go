package patcher

import (
	"bytes"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"sort"
	"strings"
	"testing"
)

// instancesSrc uses generic code of its own and of std, inside and
// outside generic functions, with type arguments that can and cannot be
// named in the package.
const instancesSrc = `package gen

import (
	"slices"
	"sync/atomic"
)

type Set[T comparable] struct{ m map[T]bool }

func (s *Set[T]) has(v T) bool { return s.m[v] }

type Number interface{ ~int | ~float64 }

type Num[T Number] interface{ ~int }

func first[T any](xs []T) T { return xs[0] }

func sum[T Number](xs []T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	_ = first(xs) // T is a type parameter: no instance
	return s
}

var current atomic.Pointer[Set[string]]

func Use() int {
	type local struct{ n int }
	_ = first([]local{{1}}) // a local type: no instance
	s := &Set[int]{}
	_ = s.has(1)
	xs := []int{3, 1}
	slices.Sort(xs)
	return sum(xs) + first(xs)
}
`

// checkSource type-checks one file of package gen.
func checkSource(t *testing.T, src string) (*types.Package, *types.Info) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "gen.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{
		Types:     map[ast.Expr]types.TypeAndValue{},
		Defs:      map[*ast.Ident]types.Object{},
		Uses:      map[*ast.Ident]types.Object{},
		Instances: map[*ast.Ident]types.Instance{},
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check("example.com/gen", fset, []*ast.File{f}, info)
	if err != nil {
		t.Fatal(err)
	}
	return pkg, info
}

// TestPackageInstances checks which instantiations a package's table
// holds: those of functions its code calls and of types its expressions
// have, with type arguments the package can write, each once, under names
// that say what they are.
func TestPackageInstances(t *testing.T) {
	pkg, info := checkSource(t, instancesSrc)
	var got []string
	for _, inst := range PackageInstances(pkg, info) {
		var args []string
		for _, a := range inst.TypeArgs {
			args = append(args, types.TypeString(a, types.RelativeTo(pkg)))
		}
		s := inst.Origin.Name() + "[" + strings.Join(args, ", ") + "]"
		if inst.Named != nil {
			s = "type " + s
		}
		got = append(got, s)
		prefix := "lpInst_" + inst.Origin.Name() + "_"
		if inst.Origin.Pkg() != pkg {
			prefix = "lpInst_" + inst.Origin.Pkg().Name() + "_" + inst.Origin.Name() + "_"
		}
		if !strings.HasPrefix(inst.Name, prefix) || len(inst.Name) != len(prefix)+10 {
			t.Errorf("%s: name %q, want %s<10 hex digits>", s, inst.Name, prefix)
		}
	}
	sort.Strings(got)
	want := []string{"Sort[[]int, int]", "first[int]", "sum[int]", "type Pointer[Set[string]]", "type Set[int]", "type Set[string]"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("instances:\ngot  %s\nwant %s", strings.Join(got, "; "), strings.Join(want, "; "))
	}
}

// TestInstanceName checks that the name of an instantiation depends on
// its origin and type arguments only, and that type arguments the package
// cannot write have none.
func TestInstanceName(t *testing.T) {
	pkg, _ := checkSource(t, instancesSrc)
	first := pkg.Scope().Lookup("first")
	sum := pkg.Scope().Lookup("sum")
	a, okA := InstanceName(pkg, first, []types.Type{types.Typ[types.Int]})
	b, okB := InstanceName(pkg, first, []types.Type{types.Typ[types.Int]})
	c, _ := InstanceName(pkg, first, []types.Type{types.Typ[types.String]})
	d, _ := InstanceName(pkg, sum, []types.Type{types.Typ[types.Int]})
	if !okA || !okB || a != b || a == c || strings.TrimPrefix(a, "lpInst_first_") == strings.TrimPrefix(d, "lpInst_sum_") {
		t.Errorf("names: first[int] %q (%v), again %q, first[string] %q, sum[int] %q", a, okA, b, c, d)
	}
	other := types.NewPackage("example.com/other", "other")
	hidden := types.NewNamed(types.NewTypeName(token.NoPos, other, "hidden", nil), types.Typ[types.Int], nil)
	if _, ok := InstanceName(pkg, first, []types.Type{hidden}); ok {
		t.Error("an unexported type of another package has a name")
	}
	// An unexported generic of another package, reached through the type
	// of an expression (a method's result), cannot be named either.
	node := types.NewTypeName(token.NoPos, other, "node", nil)
	if _, ok := InstanceName(pkg, node, []types.Type{types.Typ[types.Int]}); ok {
		t.Error("an unexported generic type of another package has a name")
	}
	for path, want := range map[string]bool{
		"example.com/other/internal/x": false, // another module's internal package
		"example.com/gen/internal/x":   true,
		"internal/abi":                 false, // std's
		"vendor/golang.org/x/net/http": false,
		"example.com/other":            true,
	} {
		p := types.NewPackage(path, "x")
		typ := types.NewNamed(types.NewTypeName(token.NoPos, p, "T", nil), types.Typ[types.Int], nil)
		if _, ok := InstanceName(pkg, first, []types.Type{types.NewSlice(typ)}); ok != want {
			t.Errorf("first[[]%s.T]: has a name %v, want %v", path, ok, want)
		}
	}
}

// TestInstanceSymbols checks the table entries of instantiations and the
// accessors of an instantiated type of the package.
func TestInstanceSymbols(t *testing.T) {
	pkg, info := checkSource(t, instancesSrc)
	imports := newImportSet(pkg)
	var syms, decls bytes.Buffer
	instanceSymbols(pkg, info, imports, &syms, &decls, func(name, why string) { t.Errorf("skipped %s: %s", name, why) })
	names := map[string]string{}
	for _, inst := range PackageInstances(pkg, info) {
		var args []string
		for _, a := range inst.TypeArgs {
			args = append(args, types.TypeString(a, types.RelativeTo(pkg)))
		}
		names[inst.Origin.Name()+"["+strings.Join(args, ", ")+"]"] = inst.Name
	}
	sortImport, _ := imports.Name("slices")
	atomicImport, _ := imports.Name("sync/atomic")
	for _, want := range []string{
		`{"` + names["first[int]"] + `", first[int], 0},`,
		`{"` + names["Sort[[]int, int]"] + `", ` + sortImport + `.Sort[[]int, int], 0},`,
		`{"` + names["Set[int]"] + `", (*Set[int])(nil), 0},`,
		`{"` + names["Pointer[Set[string]]"] + `", (*` + atomicImport + `.Pointer[Set[string]])(nil), 0},`,
		`{"lpField_` + names["Set[int]"] + `_m", lpField_` + names["Set[int]"] + `_m, 0},`,
		`{"lpMethod_` + names["Set[int]"] + `_has", lpMethod_` + names["Set[int]"] + `_has, 0},`,
	} {
		if !strings.Contains(syms.String(), want) {
			t.Errorf("table lacks %s:\n%s", want, syms.String())
		}
	}
	for _, want := range []string{
		"func lpField_" + names["Set[int]"] + "_m(lpX *Set[int]) *map[int]bool { return &lpX.m }",
		"func lpMethod_" + names["Set[int]"] + "_has(lpX *Set[int]) func(v int) bool { return lpX.has }",
	} {
		if !strings.Contains(decls.String(), want) {
			t.Errorf("declarations lack %s:\n%s", want, decls.String())
		}
	}
}
