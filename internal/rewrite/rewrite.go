package rewrite

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/scanner"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/rewrite/lower"
	"github.com/livepatch/livepatch/internal/rewrite/workaround"
	"github.com/livepatch/livepatch/target/agent"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// NewMethodPrefix names the function that stands for a method a saved
// change adds to a compiled type: lpNew_T_m(recv) returns the method value,
// as the builder's method accessors (patcher.MethodAccessorPrefix) do. The
// change declares it with the change's helpers.
const NewMethodPrefix = "lpNew_"

// candidate is a node the rewriting replaces.
type candidate struct {
	node     ast.Node
	from, to int // offsets in the input
	gen      func() string
	active   bool // being generated
}

type rewriter struct {
	in      *Input
	cands   []*candidate
	used    map[*types.Var]int // frame local -> Arg
	out     *Output
	imports map[string]bool
	err     error
	lowered map[*ast.CompositeLit]bool // composite literals lowered with their & (composite.go)
	lower   *lower.Lowering            // defers and ranges over functions (package lower)
	fix     *workaround.Rewriting      // statements yaegi runs wrongly or crashes on (package workaround)
	hoisted map[*ast.SelectStmt]bool   // selects whose operands are hoisted (selects.go)
}

// Rewrite turns a checked input into the source the agent runs. An input
// the rewriting cannot express is an *Error.
func Rewrite(in *Input) (*Output, error) { return rewrite(in, false) }

// Prompt is Rewrite for an input typed at the prompt: the functions it
// declares also get the depth guard (guard.go).
func Prompt(in *Input) (*Output, error) { return rewrite(in, true) }

func rewrite(in *Input, guard bool) (*Output, error) {
	r := &rewriter{in: in, used: map[*types.Var]int{}, out: &Output{}, imports: map[string]bool{}}
	r.lower = lower.New(host{r}, in.Info, in.Stmts, in.Decls)
	goKey := ""
	if in.Change != nil && in.Decl != nil && in.Pkg != nil && in.Generic == nil {
		goKey = patcher.FuncKey(in.Pkg.Path(), in.Decl)
	}
	r.fix = workaround.New(host{r}, workaround.Input{Info: in.Info, Src: in.Src, Stmts: in.Stmts, File: in.File, Pkg: in.Pkg, Saved: in.Change != nil, GoKey: goKey})
	if in.Decl != nil {
		r.renameShadowingParams(in.Decl) // params.go
		r.refuseRecovering(in.Decl)      // recovers.go
		r.dotImportedSignature(in.Decl)  // dotimports.go
	}
	for _, s := range in.Stmts {
		ast.Inspect(s, r.visit)
	}
	if r.fix.UsedGo() {
		r.imports[strconv.Quote(workaround.GoPackage)] = true
	}
	r.lower.SeqTypes()
	r.sideCopies()    // sidefields.go
	r.lowerGenerics() // generic.go
	r.genericPatch()  // genericpatch.go
	if guard {
		r.guardDecls() // guard.go
	}
	if n := in.Results; n > 1 {
		es := in.Stmts[len(in.Stmts)-1].(*ast.ExprStmt)
		r.add(es, func() string {
			names := make([]string, n)
			for i := range names {
				names[i] = fmt.Sprintf("lp_r%d", i)
			}
			list := strings.Join(names, ", ")
			return list + " := " + r.renderNode(es.X) + "; []interface{}{" + list + "}"
		})
		r.out.Results = n
	}
	if r.err != nil {
		return nil, r.err
	}
	sort.SliceStable(r.cands, func(i, j int) bool {
		a, b := r.cands[i], r.cands[j]
		if a.from != b.from {
			return a.from < b.from
		}
		return a.to > b.to
	})
	src := r.render(0, len(in.Src))
	if in.Decls {
		// Imports go as the request's Imports, which the agent binds once.
		src = blankRanges(src, in.ImportRanges)
	}
	if r.err != nil {
		return nil, r.err
	}
	if !in.Decls {
		switch FirstToken(src) {
		case token.IMPORT, token.FUNC, token.TYPE, token.VAR, token.CONST:
			src = ";" + src // statements, not the interpreter's declaration mode
		}
	}
	r.out.Src = src
	for _, s := range in.Imports {
		r.imports[s] = true
	}
	if strings.TrimSpace(src) == "" {
		src = ""
	}
	for s := range r.imports {
		r.out.Imports = append(r.out.Imports, s)
	}
	sort.Strings(r.out.Imports)
	return r.out, nil
}

func (r *rewriter) add(n ast.Node, gen func() string) {
	from, to := r.in.Offset(n.Pos()), r.in.Offset(n.End())
	if from < 0 || to < 0 {
		return
	}
	r.cands = append(r.cands, &candidate{node: n, from: from, to: to, gen: gen})
}

// render returns the input between two offsets with the candidates inside
// replaced.
func (r *rewriter) render(from, to int) string {
	var b strings.Builder
	at := from
	for _, cd := range r.cands {
		if cd.from < at || cd.to > to || cd.active {
			continue
		}
		b.WriteString(r.in.Src[at:cd.from])
		cd.active = true // its own parts may span the same range
		b.WriteString(cd.gen())
		cd.active = false
		at = cd.to
	}
	b.WriteString(r.in.Src[at:to])
	return b.String()
}

func (r *rewriter) renderNode(n ast.Node) string {
	return r.render(r.in.Offset(n.Pos()), r.in.Offset(n.End()))
}

func (r *rewriter) visit(n ast.Node) bool {
	r.fix.Visit(n)             // package workaround
	r.statements(n)            // livevars.go
	r.lower.Control(n)         // package lower: defers, labels
	r.renameShadowingParams(n) // params.go: function literals
	switch n := n.(type) {
	case *ast.Ident:
		r.visitIdent(n)
	case *ast.SelectorExpr:
		return r.visitSelector(n)
	case *ast.AssignStmt:
		if n.Tok != token.DEFINE {
			for _, l := range n.Lhs {
				r.noteWrite(l)
			}
		}
		r.convertFuncStores(n) // fields.go
	case *ast.IncDecStmt:
		r.noteWrite(n.X)
	case *ast.UnaryExpr:
		if n.Op == token.AND {
			r.noteWrite(n.X)
		}
		r.lowerUnary(n)
		r.lowerFieldAddr(n) // fields.go
	case *ast.CallExpr:
		r.lowerBuiltin(n)
		r.fmtArgs(n)      // fmtargs.go
		r.crossingArgs(n) // crossings.go
	case *ast.CompositeLit:
		if !r.lowered[n] && !r.lowerComposite(n, nil) {
			r.keyElements(n) // composite.go
		}
	case *ast.DeferStmt:
		r.refuseDeferredRecover(n) // recovers.go
	case *ast.ReturnStmt:
		r.crossingResults(n) // crossings.go
	case *ast.TypeAssertExpr, *ast.TypeSwitchStmt:
		r.assertedInterfaces(n) // crossings.go
	case *ast.ForStmt:
		r.lowerFor(n)
	case *ast.RangeStmt:
		r.lowerRange(n)
		if n.Tok == token.ASSIGN {
			r.noteWrite(n.Key)
			r.noteWrite(n.Value)
		}
	}
	return true
}

// visitIdent rewrites a use of a constant whose value the input needs
// written out, of a name a dot import brings in, of a frame local, or of
// a package variable of the input's package.
func (r *rewriter) visitIdent(n *ast.Ident) {
	info := r.in.Info
	obj := info.Uses[n]
	if k, isConst := obj.(*types.Const); isConst && (r.in.Change != nil && r.in.Change.Inline[k] || r.userConst(k)) {
		r.add(n, func() string { return r.constValue(k, r.in.Info.TypeOf(n), n.Pos()) })
		return
	}
	if obj != nil && r.dotImported(n, obj) { // dotimports.go
		return
	}
	v, ok := obj.(*types.Var)
	if !ok || v.IsField() {
		return
	}
	if r.in.Locals[v] {
		r.useLocal(v)
		name := n.Name
		r.add(n, func() string { return "(*" + agent.FramePackage + "." + name + ")" })
	} else if v.Pkg() != nil && v.Pkg().Path() == r.in.Pkg.Path() && v.Parent() == v.Pkg().Scope() {
		// A package variable, compiled or made live by a save (whose
		// package is the save's).
		name := n.Name
		r.add(n, func() string { return "(*" + patcher.VarAddrPrefix + name + ")" })
	}
}

// visitSelector rewrites a selector: a qualified identifier (whose import
// it records), a method value or expression of a compiled type, or a field
// the interpreter reaches through an accessor. It reports whether to visit
// n's children.
func (r *rewriter) visitSelector(n *ast.SelectorExpr) bool {
	info := r.in.Info
	if id, ok := n.X.(*ast.Ident); ok {
		if pn, ok := info.Uses[id].(*types.PkgName); ok {
			alias := importAlias(pn.Imported().Path(), id.Name)
			r.imports[r.in.Spec(pn.Imported().Path(), alias)] = true
			if alias != id.Name {
				r.add(id, func() string { return alias })
			}
			if k, ok := info.Uses[n.Sel].(*types.Const); ok && r.userConst(k) {
				r.add(n, func() string { return r.constValue(k, r.in.Info.TypeOf(n), n.Pos()) })
			}
			if v, ok := info.Uses[n.Sel].(*types.Var); ok && r.in.LoadedFile && r.isUser(v.Pkg()) {
				q, name := alias, n.Sel.Name
				r.add(n, func() string { return "(*" + q + "." + patcher.VarAddrPrefix + name + ")" })
			}
			return false
		}
	}
	sel := info.Selections[n]
	if sel == nil && r.promptSide(n) { // sidefields.go
		return true
	}
	if sel != nil && sel.Kind() == types.MethodVal {
		if acc := r.methodAccessor(sel); acc != "" {
			r.add(n, func() string { return r.methodValue(n, sel, acc) })
		} else if r.gainedMethod(sel) { // ifacecalls.go
			r.add(n, func() string { return r.ifaceDispatch(n, sel) })
		}
		return true
	}
	if sel != nil && sel.Kind() == types.MethodExpr && r.methodAccessor(sel) != "" {
		r.refuse(n.Sel.Pos(), ReasonMethodExpression, fmt.Sprintf("method expression %s: the interpreter cannot reach method %s of compiled type %s this way; use a method value or a call",
			n.Sel.Name, n.Sel.Name, types.TypeString(sel.Recv(), types.RelativeTo(r.in.Pkg))))
		return true
	}
	if sel == nil || sel.Kind() != types.FieldVal || !r.needsAccessor(sel) {
		return true
	}
	r.add(n, func() string { return r.fieldPath(n, sel) })
	return true
}

// noteWrite records a frame local written by the input.
func (r *rewriter) noteWrite(e ast.Expr) {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	if id, ok := e.(*ast.Ident); ok {
		if v, ok := r.in.Info.Uses[id].(*types.Var); ok && r.in.Locals[v] {
			r.out.Writes = append(r.out.Writes, v)
		}
	}
}

// sourcePackages are the packages that yaegi v0.16.1 has as source
// (stdlib/generic), by name: it takes the name of an import of another
// package called so for the standard one ("undefined selector:
// cmp.FilterValues" for github.com/google/go-cmp/cmp).
var sourcePackages = map[string]string{"cmp": "cmp", "maps": "maps", "slices": "slices", "sync": "sync", "atomic": "sync/atomic"}

// importAlias returns the name under which the rewritten code imports
// package path, imported by the input as name: lpImp_<name> for a
// package named like one of sourcePackages, name otherwise.
func importAlias(path, name string) string {
	if std, ok := sourcePackages[name]; ok && std != path {
		return "lpImp_" + name
	}
	return name
}

// isUser reports whether p is an instrumented package of the program (not
// the scratch package of the input's own declarations).
func (r *rewriter) isUser(p *types.Package) bool {
	return p != nil && r.in.User[p.Path()] && (r.in.Packages[p.Path()] == p || r.in.Change != nil && r.in.Change.Pkg == p)
}

// compiled reports whether the named type is one the build compiled, as
// opposed to one a saved change declares anew.
func (r *rewriter) compiled(named *types.Named) bool {
	return r.in.Change == nil || named.Obj().Pkg() != r.in.Change.Pkg || r.in.Change.CompiledType(named.Obj().Name())
}

// fail records the first error of the rewriting, at pos, for no
// particular reason.
func (r *rewriter) fail(pos token.Pos, msg string) { r.refuse(pos, "", msg) }

// refuse records the first error of the rewriting, at pos, for reason.
func (r *rewriter) refuse(pos token.Pos, reason, msg string) {
	if r.err == nil {
		l, col := LineCol(r.in.Src, max(r.in.Offset(pos), 0))
		r.err = &Error{Line: l, Col: col, Reason: reason, Msg: msg}
	}
}

// methodAccessor returns the name (qualified for the input's scope) of the
// function that yields the method value of sel when the interpreter cannot
// call the method directly: an unexported method of a compiled user type
// (the builder's lpMethod_T_m), or a method that a saved change adds to a
// compiled type (lpNew_T_m, declared with the change). Otherwise "".
func (r *rewriter) methodAccessor(sel *types.Selection) string {
	fn, ok := sel.Obj().(*types.Func)
	if !ok || !r.isUser(fn.Pkg()) {
		return ""
	}
	named := RecvNamed(fn)
	if named == nil || !r.compiled(named) {
		return "" // a method of an interpreted type: yaegi calls it itself
	}
	if r.in.Change != nil && r.in.Change.NewMethods[fn] {
		return NewMethodPrefix + named.Obj().Name() + "_" + fn.Name()
	}
	if fn.Exported() {
		return ""
	}
	if r.in.Generic != nil && holdsTypeParam(named) {
		if name, ok := r.genericMethod(named, fn.Name()); ok {
			return name
		}
		r.refuse(sel.Obj().Pos(), ReasonGeneric, fmt.Sprintf("unexported method %s of %s in generic code: the interpreter cannot call it on an instantiation that only runs now", fn.Name(), types.TypeString(named, types.RelativeTo(r.in.Pkg))))
		return ""
	}
	return r.accessorQualifier(named) + patcher.MethodAccessorPrefix + r.accessorBase(named) + "_" + fn.Name()
}

// RecvNamed returns the named type that declares method fn, or nil.
func RecvNamed(fn *types.Func) *types.Named {
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return nil
	}
	t := types.Unalias(sig.Recv().Type())
	if p, ok := t.(*types.Pointer); ok {
		t = types.Unalias(p.Elem())
	}
	named, _ := t.(*types.Named)
	return named
}

// methodValue writes the method value x.m of a selection through its
// accessor: acc(recv), with recv the expression of the method's receiver
// (through embedded fields, and with & or * as the receiver wants).
func (r *rewriter) methodValue(n *ast.SelectorExpr, sel *types.Selection, acc string) string {
	idx := sel.Index()
	recv, t := r.walkSelection(n.X, sel.Recv(), idx[:len(idx)-1])
	fn := sel.Obj().(*types.Func)
	_, wantPtr := types.Unalias(fn.Type().(*types.Signature).Recv().Type()).(*types.Pointer)
	_, isPtr := types.Unalias(t).(*types.Pointer)
	switch {
	case wantPtr && !isPtr:
		recv = addressOf(recv)
	case !wantPtr && isPtr:
		recv = "*" + recv
	}
	return acc + "(" + recv + ")"
}

// constValue writes the value of a constant that a saved change declares
// or changes: the compiled symbol holds the old value, or none.
//
// An untyped constant that its use gives another type than its default
// (a rune map's key nul, with const nul = 0) is converted to that type:
// yaegi v0.16.1 would take the literal at its default type, and index the
// map with an int ("reflect.Value.MapIndex: value of type int is not
// assignable to type int32"). A typed constant is written as a conversion
// to its type, named as it can be at the use (typeNameAt).
func (r *rewriter) constValue(k *types.Const, use types.Type, at token.Pos) string {
	lit := constLiteral(k.Val(), k.Type())
	if b, ok := k.Type().(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
		if ub, ok := use.(*types.Basic); use != nil && (!ok || ub.Info()&types.IsUntyped == 0) && !types.Identical(use, types.Default(k.Type())) && !types.IsInterface(use) {
			return r.typeText(use) + "(" + lit + ")"
		}
		return constOperand(lit)
	}
	return r.typeNameAt(k.Type(), at) + "(" + lit + ")"
}

// useLocal records that the input uses frame local v.
func (r *rewriter) useLocal(v *types.Var) {
	if _, ok := r.used[v]; ok {
		return
	}
	r.used[v] = len(r.out.Locals)
	if err := namable(v); err != nil && r.err == nil {
		r.err = err
	}
	r.out.Vars = append(r.out.Vars, wire.FrameVar{
		Name: v.Name(),
		Type: r.typeText(v.Type()), // generic.go: instantiations as their symbols
		Arg:  len(r.out.Locals),
	})
	r.out.Locals = append(r.out.Locals, v)
}

// namable fails for a local whose type the interpreter cannot name.
func namable(v *types.Var) error {
	bad := ""
	var walk func(t types.Type, depth int)
	walk = func(t types.Type, depth int) {
		if bad != "" || depth > 10 {
			return
		}
		switch t := t.(type) {
		case *types.Named:
			o := t.Obj()
			if o.Pkg() != nil && o.Parent() != o.Pkg().Scope() {
				bad = o.Name()
			}
		case *types.Pointer:
			walk(t.Elem(), depth+1)
		case *types.Slice:
			walk(t.Elem(), depth+1)
		case *types.Array:
			walk(t.Elem(), depth+1)
		case *types.Map:
			walk(t.Key(), depth+1)
			walk(t.Elem(), depth+1)
		case *types.Chan:
			walk(t.Elem(), depth+1)
		}
	}
	walk(v.Type(), 0)
	if bad != "" {
		return &Error{Reason: ReasonUnnamableType, Msg: fmt.Sprintf("%s has type %s, which the Go prompt cannot name (a type declared inside a function)", v.Name(), bad)}
	}
	return nil
}

// qualifier names packages in the input's scope in the interpreter: the
// frame's package unqualified (its scope is dot-imported), others by the
// name the input's scope gives them.
func (r *rewriter) qualifier(p *types.Package) string {
	if p.Path() == r.in.Pkg.Path() {
		return ""
	}
	name := r.in.Names[p.Path()]
	if name == "" {
		name = p.Name()
	}
	name = importAlias(p.Path(), name)
	r.imports[r.in.Spec(p.Path(), name)] = true
	return name
}

// needsAccessor reports whether a field selection goes through an
// unexported field of a user package.
func (r *rewriter) needsAccessor(sel *types.Selection) bool {
	t := sel.Recv()
	for _, idx := range sel.Index() {
		if p, ok := types.Unalias(t).(*types.Pointer); ok {
			t = p.Elem()
		}
		st, ok := t.Underlying().(*types.Struct)
		if !ok {
			return false
		}
		f := st.Field(idx)
		if r.fieldAccessor(t, f) || r.reflectField(t, f) || r.sideField(t, f) { // fields.go, sidefields.go
			return true
		}
		t = f.Type()
	}
	return false
}

// fieldAccessor reports whether field f of struct type t is reached
// through a generated accessor: an unexported field of a compiled user type.
func (r *rewriter) fieldAccessor(t types.Type, f *types.Var) bool {
	named, _ := types.Unalias(t).(*types.Named)
	return !f.Exported() && r.isUser(f.Pkg()) && named != nil && r.compiled(named)
}

// blankRanges replaces the bytes of src in the given ranges by spaces,
// keeping newlines.
func blankRanges(src string, ranges [][2]int) string {
	b := []byte(src)
	for _, rg := range ranges {
		for i := rg[0]; i < rg[1] && i < len(b); i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	return string(b)
}

// constLiteral writes constant value v of type t as Go source.
func constLiteral(v constant.Value, t types.Type) string {
	switch v.Kind() {
	case constant.Bool:
		return strconv.FormatBool(constant.BoolVal(v))
	case constant.String:
		return strconv.Quote(constant.StringVal(v))
	case constant.Int:
		if b, ok := t.(*types.Basic); ok && b.Kind() == types.UntypedRune {
			if r, exact := constant.Int64Val(v); exact {
				return strconv.QuoteRune(rune(r))
			}
		}
		return v.ExactString()
	case constant.Float:
		f, _ := constant.Float64Val(v)
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eIN") {
			s += ".0"
		}
		return s
	case constant.Complex:
		re, _ := constant.Float64Val(constant.Real(v))
		im, _ := constant.Float64Val(constant.Imag(v))
		return fmt.Sprintf("complex(%s, %s)", strconv.FormatFloat(re, 'g', -1, 64), strconv.FormatFloat(im, 'g', -1, 64))
	}
	return v.ExactString()
}

// FirstToken returns the first token of src.
func FirstToken(src string) token.Token {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	_, tok, _ := s.Scan()
	return tok
}

// LineCol returns the 1-based line and column of an offset of src.
func LineCol(src string, off int) (int, int) {
	line := 1 + strings.Count(src[:off], "\n")
	col := off - strings.LastIndex(src[:off], "\n")
	return line, col
}

// userConst reports whether k is a package-level constant of a user
// package, which the rewriting writes as its value. The symbol tables hold
// untyped constants as constant.Value, which yaegi v0.16.1 mixes up with
// the value's Go type in some operations ("mismatched types string and
// *constant.stringVal" comparing a string field with one); a literal is
// what compiled code has folded in anyway.
func (r *rewriter) userConst(k *types.Const) bool {
	return k.Pkg() != nil && k.Parent() == k.Pkg().Scope() && r.isUser(k.Pkg())
}

// span is a range of the input that a candidate replaces, for insertions.
type span struct{ from, to token.Pos }

func (s span) Pos() token.Pos { return s.from }
func (s span) End() token.Pos { return s.to }

// constOperand writes lit, the literal of an untyped constant that the
// rewriting writes for the constant's name, as an operand: in parentheses
// only when it is more than one token (a negative number). yaegi v0.16.1
// panics on a parenthesized literal compared and then combined with && or
// ||: r == (0) || r == 1 fails with "reflect: call of reflect.Value.Bool
// on int32 Value", where r == 0 || r == 1 works.
func constOperand(lit string) string {
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(lit))
	var s scanner.Scanner
	s.Init(f, []byte(lit), nil, 0)
	n := 0
	for {
		_, tok, text := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON && text == "\n" {
			continue // inserted at the end
		}
		n++
	}
	if n == 1 {
		return lit
	}
	return "(" + lit + ")"
}
