package patcher

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"testing"
)

// TestGenericsByGoLine checks that the typed (generic) wrappers are used
// only where the package's go line allows instantiating them: pflag and
// cobra declare go 1.12, and their instrumented copies did not compile.
func TestGenericsByGoLine(t *testing.T) {
	for version, want := range map[string]bool{"": true, "go1.12": false, "go1.17": false, "go1.18": true, "go1.26": true} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "p.go", "package p\n", 0)
		if err != nil {
			t.Fatal(err)
		}
		conf := types.Config{GoVersion: version}
		pkg, err := conf.Check("example.com/p", fset, []*ast.File{f}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := generics(pkg); got != want {
			t.Errorf("go line %q: generics %v, want %v", version, got, want)
		}
	}
}
