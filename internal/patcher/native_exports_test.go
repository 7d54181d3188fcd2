package patcher

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"
)

// TestNativeExportsGeneric checks the native exports of generic code: of an
// unexported generic function, a generic function of the same type
// parameters (their constraints, variadic parameters and named results
// kept) that calls it; of a generic type's unexported field and method,
// generic accessors (a blank receiver type parameter named).
func TestNativeExportsGeneric(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "a.go", `package p

import "cmp"

func keysOf[K comparable, V any](m map[K]V) []K { return nil }

func maxOf[T cmp.Ordered](xs ...T) (r T) { return }

func visit[T any](f func(T)) {}

type box[T any] struct{ v T }

func (b *box[_]) empty() bool { return b == nil }
`, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := string(nativeExports(pkg, func(name, why string) { t.Errorf("%s skipped: %s", name, why) }))
	for _, want := range []string{
		"func LpNF_keysOf[K comparable, V any](lpP0 map[K]V) []K { return keysOf[K, V](lpP0) }",
		"func LpNF_maxOf[T lp_i0.Ordered](lpP0 ...T) (r T) { return maxOf[T](lpP0...) }",
		"func LpNF_visit[T any](lpP0 func(T)) { visit[T](lpP0) }",
		"func LpNField_box_v[T any](lpX *box[T]) *T { return &lpX.v }",
		"func LpNMethod_box_empty[lpT0 any](lpX *box[lpT0]) func() bool { return lpX.empty }",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
		if !nativeExportLine(want) {
			t.Errorf("%q is not a line repairOverlay may leave out", want)
		}
	}
}
