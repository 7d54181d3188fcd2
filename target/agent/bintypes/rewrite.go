package bintypes

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"

	yaegi "github.com/traefik/yaegi/interp"
)

// Package is the pseudo-package, path and name, whose symbols name the
// binary pointer types and method expressions of the rewrite.
const Package = "lp_bin"

// Spec is the import spec of Package.
var Spec = Package + " " + strconv.Quote(Package)

// Types are the compiled types a snippet can name: the symbols of the
// packages registered with the agent.
type Types interface {
	// HasSymbol reports whether package pkg has a symbol called name.
	HasSymbol(pkg, name string) bool
	// Type returns the type that package pkg exports as name, when that
	// symbol is a type.
	Type(pkg, name string) (reflect.Type, bool)
}

// key identifies one symbol of package lp_bin: a pointer type when
// method is empty, else a method expression of typ.
type key struct {
	typ    reflect.Type
	method string
}

// Scope says which compiled types a snippet can name.
type Scope struct {
	// Pkgs are the import paths whose symbols are visible unqualified, the
	// one that wins a name clash first.
	Pkgs    []string
	Imports map[string]string // package name -> import path, for qualified names
}

// Edit replaces src[From:To] by Text.
type Edit struct {
	From, To int
	Text     string
}

// rewriter collects the edits for one snippet.
type rewriter struct {
	syms  *Symbols
	types Types
	sc    Scope
	skip  int // length of the parse prefix
	edits []Edit
}

// snippetForms are the ways a snippet is parsed, first match wins:
// declarations (functions, methods, helpers), a function literal, and
// statements (evaluations).
var snippetForms = []struct{ prefix, suffix string }{
	{"package p\n", ""},
	{"package p\nvar _ = ", ""},
	{"package p; func _() {\n", "\n}"},
}

// Rewrite rewrites src, declarations, a function literal or statements, as
// the package documentation describes, and registers the lp_bin symbols it
// needs with i. It returns src unchanged, without edits, when nothing needs
// rewriting or src does not parse (yaegi then reports the syntax error). A
// construct it refuses is a *Refusal.
func (s *Symbols) Rewrite(i *yaegi.Interpreter, src string, sc Scope, types Types) (string, []Edit, error) {
	var f *ast.File
	var skip int
	for _, form := range snippetForms {
		parsed, err := parser.ParseFile(token.NewFileSet(), "", form.prefix+src+form.suffix, 0)
		if err == nil {
			f, skip = parsed, len(form.prefix)
			break
		}
	}
	if f == nil {
		return src, nil, nil
	}
	r := &rewriter{syms: s, types: types, sc: sc, skip: skip}
	if err := r.refuseEmbeddedInterfaces(f, src); err != nil { // embedded.go
		return src, nil, err
	}
	ast.Inspect(f, r.visit)
	if len(r.edits) == 0 {
		return src, nil, nil
	}
	if err := s.Publish(i); err != nil {
		return src, nil, err
	}
	return applyEdits(src, r.edits), r.edits, nil
}

// visit records the edits for node n.
func (r *rewriter) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.SelectorExpr:
		if name, ok := r.methodExpr(n); ok {
			r.replace(n, Package+"."+name)
			return false
		}
	case *ast.StarExpr:
		if t, ok := r.compiledType(n.X); ok && pointerHasMethods(t) {
			r.replace(n, Package+"."+r.syms.Name(reflect.PointerTo(t), ""))
			return false
		}
	case *ast.UnaryExpr:
		if n.Op != token.AND {
			break
		}
		var t reflect.Type
		var ok bool
		switch x := ast.Unparen(n.X).(type) {
		case *ast.CompositeLit:
			t, ok = r.compiledType(x.Type)
		case *ast.Ident:
			t, ok = r.declaredType(x)
		}
		if ok && pointerHasMethods(t) {
			r.convert(n, Package+"."+r.syms.Name(reflect.PointerTo(t), ""))
		}
	case *ast.CallExpr:
		if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "new" && id.Obj == nil && len(n.Args) == 1 && !r.unqualified("new") {
			if t, ok := r.compiledType(n.Args[0]); ok && pointerHasMethods(t) {
				r.convert(n, Package+"."+r.syms.Name(reflect.PointerTo(t), ""))
			}
		}
	}
	return true
}

// methodExpr returns the lp_bin name for n when n is a method expression
// T.M or (*T).M of a compiled type T.
func (r *rewriter) methodExpr(n *ast.SelectorExpr) (string, bool) {
	x := ast.Unparen(n.X)
	ptr := false
	if s, ok := x.(*ast.StarExpr); ok {
		x, ptr = s.X, true
	}
	t, ok := r.compiledType(x)
	if !ok {
		return "", false
	}
	if ptr {
		t = reflect.PointerTo(t)
	}
	if t.Kind() == reflect.Interface {
		return "", false // reflect gives no function for an interface's method
	}
	if _, ok := t.MethodByName(n.Sel.Name); !ok {
		return "", false // not exported, or no such method: yaegi reports it
	}
	return r.syms.Name(t, n.Sel.Name), true
}

// compiledType returns the compiled type that e names: an identifier not
// declared in the snippet naming a type registered for the scope's package,
// or q.T with q naming an imported registered package.
func (r *rewriter) compiledType(e ast.Expr) (reflect.Type, bool) {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		if e.Obj != nil {
			return nil, false
		}
		for _, pkg := range r.sc.Pkgs {
			if r.types.HasSymbol(pkg, e.Name) {
				return r.types.Type(pkg, e.Name)
			}
		}
		return nil, false
	case *ast.SelectorExpr:
		q, ok := e.X.(*ast.Ident)
		if !ok || q.Obj != nil {
			return nil, false
		}
		path, ok := r.sc.Imports[q.Name]
		if !ok {
			return nil, false
		}
		return r.types.Type(path, e.Sel.Name)
	}
	return nil, false
}

// declaredType returns the compiled type of variable id when its
// declaration in the snippet says it: a parameter or receiver, or a var,
// declared with that type, or a variable defined (:=) from a composite
// literal of it. A Go variable keeps its declared type, so the answer holds
// wherever id is used.
func (r *rewriter) declaredType(id *ast.Ident) (reflect.Type, bool) {
	if id.Obj == nil || id.Obj.Kind != ast.Var {
		return nil, false
	}
	switch d := id.Obj.Decl.(type) {
	case *ast.Field:
		return r.compiledType(d.Type)
	case *ast.ValueSpec:
		if d.Type != nil {
			return r.compiledType(d.Type)
		}
	case *ast.AssignStmt:
		if d.Tok != token.DEFINE || len(d.Lhs) != len(d.Rhs) {
			break
		}
		for k, l := range d.Lhs {
			if l, ok := l.(*ast.Ident); ok && l.Name == id.Name && l.Obj == id.Obj {
				if cl, ok := ast.Unparen(d.Rhs[k]).(*ast.CompositeLit); ok {
					return r.compiledType(cl.Type)
				}
			}
		}
	}
	return nil, false
}

// unqualified reports whether name is a symbol of a package visible
// unqualified, so that it shadows a predeclared identifier.
func (r *rewriter) unqualified(name string) bool {
	for _, pkg := range r.sc.Pkgs {
		if r.types.HasSymbol(pkg, name) {
			return true
		}
	}
	return false
}

// replace replaces node n by text.
func (r *rewriter) replace(n ast.Node, text string) {
	r.edits = append(r.edits, Edit{From: r.offset(n.Pos()), To: r.offset(n.End()), Text: text})
}

// convert wraps expression n in a conversion to type typ. Edits inside n
// stay valid: the conversion only inserts text at n's ends.
func (r *rewriter) convert(n ast.Node, typ string) {
	from, to := r.offset(n.Pos()), r.offset(n.End())
	r.edits = append(r.edits, Edit{From: from, To: from, Text: typ + "("}, Edit{From: to, To: to, Text: ")"})
}

// offset turns a position of the parsed text into an offset in the snippet.
// The file set holds one file, whose base is 1.
func (r *rewriter) offset(p token.Pos) int {
	return int(p) - 1 - r.skip
}

// pointerHasMethods reports whether *t has exported methods that t has not:
// methods with a pointer receiver, which are what yaegi mishandles.
func pointerHasMethods(t reflect.Type) bool {
	return t.Kind() != reflect.Interface && t.Kind() != reflect.Pointer && reflect.PointerTo(t).NumMethod() > t.NumMethod()
}
