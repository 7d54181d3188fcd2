package bintypes

import (
	"fmt"
	"go/ast"
	"reflect"
	"strings"
)

// refuseEmbeddedInterfaces returns a *Refusal at the first struct type of
// snippet f (parsed from src by Rewrite) that embeds a compiled
// interface type with methods, error included. Interpreted code cannot
// use such a struct as an interface: yaegi v0.16.1 builds the struct type
// with reflect.StructOf, which, when the embedded field is the struct's
// only field, gives it a method per method of the interface whose body
// panics ("reflect: StructOf does not support methods of embedded
// interfaces"). Those are the methods yaegi puts into the wrapper when it
// converts the value to a compiled interface (an unexported one fails
// sooner: "reflect.Set of unexported method"), and the ones compiled code
// finds by type assertion (fmt calling a String or Error method). With
// other fields beside it, the field is not embedded under reflect and the
// conversion panics with "method not found". Either way the program would
// panic where Go does not, so the snippet is refused before it compiles.
func (r *rewriter) refuseEmbeddedInterfaces(f *ast.File, src string) error {
	var err error
	ast.Inspect(f, func(n ast.Node) bool {
		st, ok := n.(*ast.StructType)
		if !ok || err != nil || st.Fields == nil {
			return err == nil
		}
		for _, fd := range st.Fields.List {
			if len(fd.Names) > 0 {
				continue
			}
			name, ok := r.embeddedInterface(fd.Type)
			if !ok {
				continue
			}
			line, col := lineCol(src, r.offset(fd.Type.Pos()))
			err = &Refusal{Line: line, Col: col, Msg: "a struct type embedding a compiled interface: the interpreter (yaegi v0.16.1) " +
				"gives the struct the interface's methods through reflect.StructOf, which panic when compiled code calls them " +
				"(as it does when the value is passed as an interface); the interface is " + name}
			return false
		}
		return true
	})
	return err
}

// embeddedInterface returns the name of the compiled interface type with
// methods that the embedded field type e names, if it names one.
func (r *rewriter) embeddedInterface(e ast.Expr) (string, bool) {
	if id, ok := ast.Unparen(e).(*ast.Ident); ok && id.Name == "error" && id.Obj == nil && !r.unqualified("error") {
		return "error", true
	}
	t, ok := r.compiledType(e)
	if !ok || t.Kind() != reflect.Interface || t.NumMethod() == 0 {
		return "", false
	}
	return t.String(), true
}

// Refusal is a construct of a snippet that the interpreter would run
// otherwise than Go, refused before it compiles: Line and Col (from 1)
// place it in the snippet.
type Refusal struct {
	Line, Col int
	Msg       string
}

func (e *Refusal) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// lineCol returns the 1-based line and column of byte offset off in src.
func lineCol(src string, off int) (int, int) {
	if off < 0 || off > len(src) {
		return 1, 1
	}
	line := 1 + strings.Count(src[:off], "\n")
	return line, off - strings.LastIndex(src[:off], "\n")
}
