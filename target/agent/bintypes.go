package agent

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"reflect"
	"sort"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
)

// This file works around how yaegi v0.16.1 handles pointers to compiled
// types, without changing yaegi.
//
// yaegi knows a compiled type T as a "binary" type backed by its
// reflect.Type. A pointer to it written in source, *T, becomes yaegi's own
// pointer type around that binary type, not the binary type *T. Selecting a
// method with a pointer receiver through such a pointer (matchSelectorMethod
// in yaegi's cfg.go, the branch for a pointer to a binary type) gives the
// selector the type of reflect's method expression, receiver included, and
// does not mark it as a method of a binary type, while the value it computes
// at run time is the method value, receiver bound. A call c.Inc() works,
// since the call passes the receiver itself, but a method value does not:
//
//	mv := c.Inc     // panics at run time: reflect.Set: value of type
//	                // func() int is not assignable to type func(*T) int
//	f(c.Inc)        // refused: cannot use type func(*T) int as type func() int
//
// Method expressions of compiled types, (*T).Inc and T.Label, fail in every
// form: they evaluate the method of a zero reflect.Value ("reflect: Method
// index out of range", "call of reflect.Value.Method on zero Value"), or are
// refused with "too many arguments".
//
// Through the binary type *T itself (a reflect.Type registered as a type,
// the way compiled results and fields of type *T already reach the
// interpreter) yaegi takes its branch for binary types, which handles method
// values correctly. So before compiling a replacement (and its helpers) or
// an evaluation, the agent rewrites its source, on the same lines:
//
//   - a pointer type *T, or *q.T, where T is a compiled type whose pointer
//     has methods beyond T's own, becomes lp_bin.P<n>_T, the binary type *T;
//   - &T{...}, new(T), and &v for a variable v the snippet declares with
//     type T (a parameter, a receiver, var v T, v := T{...}) are converted
//     to that type, so that the pointers they make behave the same;
//   - a method expression T.M or (*T).M of a compiled type becomes
//     lp_bin.M<n>_M, the compiled method expression taken with reflect
//     (reflect.Method.Func), which yaegi calls as any compiled function.
//
// The rewrite is syntactic: T must name a type registered for the patch's
// package (unqualified; for an evaluation, a package whose scope it sees)
// or for the package that q names in the snippet, and must not be declared
// in the snippet itself. (An evaluation cannot see what earlier inputs
// declared: an earlier variable named like a compiled type of the scope is
// taken for the type.) A pointer whose type the
// syntax does not tell (&s[i], &x.f, &v for v := f()) keeps yaegi's own
// pointer type: taking a method value of it still fails, and the agent
// reports that failure (see Repanic).

// binPackage is the pseudo-package, path and name, whose symbols name the
// binary pointer types and method expressions of the rewrite.
const binPackage = "lp_bin"

// binKey identifies one symbol of package lp_bin: a pointer type when
// method is empty, else a method expression of typ.
type binKey struct {
	typ    reflect.Type
	method string
}

// binScope says which compiled types a snippet can name.
type binScope struct {
	// pkgs are the import paths whose symbols are visible unqualified, the
	// one that wins a name clash first.
	pkgs    []string
	imports map[string]string // package name -> import path, for qualified names
}

// srcEdit replaces src[from:to] by text.
type srcEdit struct {
	from, to int
	text     string
}

// binRewriter collects the edits for one snippet. The caller holds
// machine.mu.
type binRewriter struct {
	sc    binScope
	skip  int // length of the parse prefix
	edits []srcEdit
}

// snippetForms are the ways a snippet is parsed, first match wins:
// declarations (functions, methods, helpers), a function literal, and
// statements (evaluations).
var snippetForms = []struct{ prefix, suffix string }{
	{"package p\n", ""},
	{"package p\nvar _ = ", ""},
	{"package p; func _() {\n", "\n}"},
}

// rewriteCompiled rewrites src, declarations, a function literal or
// statements, as the comment at the top of this file describes, and
// registers the lp_bin symbols it needs with i. It returns src unchanged,
// without edits, when nothing needs rewriting or src does not parse (yaegi
// then reports the syntax error). The caller holds machine.mu.
func rewriteCompiled(i *yaegi.Interpreter, src string, sc binScope) (string, []srcEdit, error) {
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
	r := &binRewriter{sc: sc, skip: skip}
	if err := r.refuseEmbeddedInterfaces(f, src); err != nil { // embedded.go
		return src, nil, err
	}
	ast.Inspect(f, r.visit)
	if len(r.edits) == 0 {
		return src, nil, nil
	}
	if err := publishBinSymbols(i); err != nil {
		return src, nil, err
	}
	return applyEdits(src, r.edits), r.edits, nil
}

// visit records the edits for node n.
func (r *binRewriter) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.SelectorExpr:
		if name, ok := r.methodExpr(n); ok {
			r.replace(n, binPackage+"."+name)
			return false
		}
	case *ast.StarExpr:
		if t, ok := r.compiledType(n.X); ok && pointerHasMethods(t) {
			r.replace(n, binPackage+"."+binName(binKey{typ: reflect.PointerTo(t)}))
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
			r.convert(n, binPackage+"."+binName(binKey{typ: reflect.PointerTo(t)}))
		}
	case *ast.CallExpr:
		if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "new" && id.Obj == nil && len(n.Args) == 1 && !r.unqualified("new") {
			if t, ok := r.compiledType(n.Args[0]); ok && pointerHasMethods(t) {
				r.convert(n, binPackage+"."+binName(binKey{typ: reflect.PointerTo(t)}))
			}
		}
	}
	return true
}

// methodExpr returns the lp_bin name for n when n is a method expression
// T.M or (*T).M of a compiled type T.
func (r *binRewriter) methodExpr(n *ast.SelectorExpr) (string, bool) {
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
	return binName(binKey{typ: t, method: n.Sel.Name}), true
}

// compiledType returns the compiled type that e names: an identifier not
// declared in the snippet naming a type registered for the scope's package,
// or q.T with q naming an imported registered package.
func (r *binRewriter) compiledType(e ast.Expr) (reflect.Type, bool) {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		if e.Obj != nil {
			return nil, false
		}
		for _, pkg := range r.sc.pkgs {
			if hasSymbol(pkg, e.Name) {
				return registeredType(pkg, e.Name)
			}
		}
		return nil, false
	case *ast.SelectorExpr:
		q, ok := e.X.(*ast.Ident)
		if !ok || q.Obj != nil {
			return nil, false
		}
		path, ok := r.sc.imports[q.Name]
		if !ok {
			return nil, false
		}
		return registeredType(path, e.Sel.Name)
	}
	return nil, false
}

// declaredType returns the compiled type of variable id when its
// declaration in the snippet says it: a parameter or receiver, or a var,
// declared with that type, or a variable defined (:=) from a composite
// literal of it. A Go variable keeps its declared type, so the answer holds
// wherever id is used.
func (r *binRewriter) declaredType(id *ast.Ident) (reflect.Type, bool) {
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
func (r *binRewriter) unqualified(name string) bool {
	for _, pkg := range r.sc.pkgs {
		if hasSymbol(pkg, name) {
			return true
		}
	}
	return false
}

// replace replaces node n by text.
func (r *binRewriter) replace(n ast.Node, text string) {
	r.edits = append(r.edits, srcEdit{from: r.offset(n.Pos()), to: r.offset(n.End()), text: text})
}

// convert wraps expression n in a conversion to type typ. Edits inside n
// stay valid: the conversion only inserts text at n's ends.
func (r *binRewriter) convert(n ast.Node, typ string) {
	from, to := r.offset(n.Pos()), r.offset(n.End())
	r.edits = append(r.edits, srcEdit{from: from, to: from, text: typ + "("}, srcEdit{from: to, to: to, text: ")"})
}

// offset turns a position of the parsed text into an offset in the snippet.
// The file set holds one file, whose base is 1.
func (r *binRewriter) offset(p token.Pos) int {
	return int(p) - 1 - r.skip
}

// pointerHasMethods reports whether *t has exported methods that t has not:
// methods with a pointer receiver, which are what yaegi mishandles.
func pointerHasMethods(t reflect.Type) bool {
	return t.Kind() != reflect.Interface && t.Kind() != reflect.Pointer && reflect.PointerTo(t).NumMethod() > t.NumMethod()
}

// binName returns the lp_bin symbol name for k, allocating it on first use.
// The caller holds machine.mu.
func binName(k binKey) string {
	if name, ok := machine.binNames[k]; ok {
		return name
	}
	n := len(machine.binNames) + 1
	var name string
	var v reflect.Value
	if k.method == "" {
		name = fmt.Sprintf("P%d_%s", n, identSafe(k.typ.Elem().Name()))
		// A nil **T: yaegi registers *T as a type.
		v = reflect.Zero(reflect.PointerTo(k.typ))
	} else {
		name = fmt.Sprintf("M%d_%s", n, k.method)
		m, _ := k.typ.MethodByName(k.method)
		v = m.Func
	}
	machine.binNames[k] = name
	machine.binPending[name] = v
	return name
}

// publishBinSymbols gives the interpreter the lp_bin symbols allocated
// since the last call. The caller holds machine.mu.
func publishBinSymbols(i *yaegi.Interpreter) error {
	if len(machine.binPending) == 0 {
		return nil
	}
	if err := i.Use(yaegi.Exports{binPackage + "/" + binPackage: machine.binPending}); err != nil {
		return fmt.Errorf("register compiled pointer types: %w", err)
	}
	machine.binPending = map[string]reflect.Value{}
	return nil
}

// identSafe keeps the letters, digits and underscores of s.
func identSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// applyEdits applies non-overlapping edits to src. Insertions at the same
// offset keep their order.
func applyEdits(src string, edits []srcEdit) string {
	sorted := append([]srcEdit(nil), edits...)
	sort.SliceStable(sorted, func(a, b int) bool { return sorted[a].from < sorted[b].from })
	var b strings.Builder
	at := 0
	for _, e := range sorted {
		b.WriteString(src[at:e.from])
		b.WriteString(e.text)
		at = e.to
	}
	b.WriteString(src[at:])
	return b.String()
}

// originalColumn maps column col (1-based, in bytes) of line line (1-based)
// of the rewritten snippet back to the snippet src as given: a column
// inside a replacement maps to the replacement's start.
func originalColumn(src string, edits []srcEdit, line, col int) int {
	start := 0 // offset of line's start in src
	for l := 1; l < line; l++ {
		k := strings.IndexByte(src[start:], '\n')
		if k < 0 {
			return col
		}
		start += k + 1
	}
	end := len(src)
	if k := strings.IndexByte(src[start:], '\n'); k >= 0 {
		end = start + k
	}
	sorted := append([]srcEdit(nil), edits...)
	sort.SliceStable(sorted, func(a, b int) bool { return sorted[a].from < sorted[b].from })
	orig, rew := start, start // walk the line in both texts
	target := start + col - 1 // offset in the rewritten text, counted from src's line start
	for _, e := range sorted {
		if e.from < start || e.from > end {
			continue
		}
		// Unchanged text up to the edit.
		if target < rew+(e.from-orig) {
			break
		}
		rew += e.from - orig
		orig = e.from
		if target < rew+len(e.text) {
			return orig - start + 1
		}
		rew += len(e.text)
		orig = e.to
	}
	return orig + (target - rew) - start + 1
}

// mapColumn moves the column of e, an error about rewritten source, back
// to src, the source as given. e's line minus lineOffset is the snippet's
// line; lines before from are left alone (the generated function header of
// a patch shares the first line of its body). On the snippet's first line,
// prefix bytes of wrapping come before the snippet.
func (e *Error) mapColumn(src string, edits []srcEdit, lineOffset, from, prefix int) {
	line := e.Line - lineOffset
	if len(edits) == 0 || e.Line == 0 || line < from || line < 1 {
		return
	}
	if line == 1 {
		if e.Col > prefix {
			e.Col = originalColumn(src, edits, line, e.Col-prefix) + prefix
		}
		return
	}
	e.Col = originalColumn(src, edits, line, e.Col)
}

// replPrefix returns the length of the wrapping that yaegi's Eval puts on
// the first line of src (interp.parse in yaegi's ast.go): none for a file,
// "package main;" before declarations, and "package main; func main() {"
// around statements, and around a func token that does not start a
// declaration.
func replPrefix(src string) int {
	const file, decls, stmts = 0, len("package main;"), len("package main; func main() {")
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", fset.Base(), len(src)), []byte(src), nil, 0)
	switch _, tok, _ := s.Scan(); tok {
	case token.PACKAGE:
		return file
	case token.CONST, token.IMPORT, token.TYPE, token.VAR:
		return decls
	case token.FUNC:
		if _, err := parser.ParseFile(token.NewFileSet(), "", "package main;"+src, 0); err != nil {
			return stmts
		}
		return decls
	}
	return stmts
}
