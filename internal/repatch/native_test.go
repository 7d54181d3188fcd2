package repatch

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"testing"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/native"
)

// TestRejected maps the compiler's messages on a plugin, whose positions
// are the saved file's (//line), to the functions they fall in.
func TestRejected(t *testing.T) {
	const src = "package p\n\nfunc A() int {\n\treturn 1\n}\n\nfunc B() int {\n\treturn 2\n}\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "/m/p/p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var fns []native.Func
	for _, d := range f.Decls {
		fd := d.(*ast.FuncDecl)
		fns = append(fns, native.Func{Key: "p." + fd.Name.Name, Checked: &change.Checked{Fset: fset, Decl: fd, File: "/m/p/p.go"}})
	}
	err = errors.New("plugin: exit status 1: # example.com/m/p/lp_native_1_1\np/p.go:8:9: cannot use x\n/other/q.go:4:1: elsewhere")
	got := rejected(err, fns, "/m")
	if want := map[string]string{"p.B": "cannot use x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
