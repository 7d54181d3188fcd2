package rewrite

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/types"
	"regexp"
	"strings"

	"github.com/livepatch/livepatch/internal/patcher/naming"
)

// Values of types that the interpreter makes differ from compiled ones
// where compiled code looks at them closely. Two such crossings are
// refused, so that no answer comes out silently wrong:
//
//   - A struct type that interpreted code declares (in the change, or
//     inside a function) with unexported fields is made with
//     reflect.StructOf, which cannot make unexported fields: yaegi v0.16.1
//     names them X+name. Reflection shows them so: encoding/json marshals
//     them, %+v prints {Xa:1}. A value of such a type (or holding one)
//     given to a package that reads values through reflect (encoding/...,
//     reflect, text/template, html/template), or to fmt or log with a
//     format that prints field names (%+v, %#v, or one not constant), is
//     refused (ReasonReflectedFields).
//   - A value of a type the change declares, given to compiled code as a
//     compiled interface with methods (an argument of a compiled function,
//     a result of the patched function), travels in yaegi's wrapper, a
//     struct of funcs, which compiled code cannot compare: == panics,
//     errors.Is answers false. When the type is comparable and the
//     interface is an error's (compiled code compares errors as a matter
//     of course, and silently wrong), the crossing is refused
//     (ReasonWrappedCompared); other interfaces cross (errorLike).
//   - A type assertion (or type switch case) to an interface type with
//     methods that the interpreter makes (written as a literal,
//     interface{ Usage() string }, or declared by the change or inside a
//     function) never matches a value of a compiled type: yaegi v0.16.1
//     matches only its own values to its own interfaces. An interface
//     literal of a user package's code (or an alias of one: testify's
//     tHelper) is written as the symbol of its compiled type, which the
//     builder registers in the package's table (naming.IfaceLiteral);
//     other such assertions are refused (ReasonInterpretedInterface):
//     BurntSushi/toml's ParseError.ErrorWithUsage lost every error's help
//     text before.
//
// A type the change declares given to fmt as any prints through its
// methods (fmtargs.go).

// Reasons of the refusals of crossings.
const (
	ReasonReflectedFields      = "a value of an interpreted struct type with unexported fields read through reflect"
	ReasonWrappedCompared      = "a value of a comparable type the change declares, given to compiled code as an error"
	ReasonInterpretedInterface = "a type assertion to an interface type the interpreter makes"
)

// assertedInterfaces refuses a type assertion, or the cases of a type
// switch, n, to an interface type with methods that the interpreter makes
// (this file's comment).
func (r *rewriter) assertedInterfaces(n ast.Node) {
	var ts []ast.Expr
	switch n := n.(type) {
	case *ast.TypeAssertExpr:
		ts = append(ts, n.Type)
	case *ast.TypeSwitchStmt:
		for _, c := range n.Body.List {
			ts = append(ts, c.(*ast.CaseClause).List...)
		}
	}
	for _, e := range ts {
		if e == nil {
			continue
		}
		t := r.in.Info.TypeOf(e)
		it, ok := t.Underlying().(*types.Interface)
		if !ok || it.NumMethods() == 0 {
			continue
		}
		if named, ok := types.Unalias(t).(*types.Named); ok && !r.interpretedNamed(named) {
			continue
		}
		if sym, ok := naming.IfaceLiteral(t); ok && r.isUser(r.in.Pkg) && naming.Nameable(t, r.in.Pkg) {
			// The builder registered the literal's compiled type in the
			// package's table (internal/patcher/ifaceliterals.go).
			r.add(e, func() string { return sym })
			continue
		}
		r.refuse(e.Pos(), ReasonInterpretedInterface, fmt.Sprintf("type assertion to %s, an interface type the interpreter makes: it never matches a value of a compiled type (yaegi v0.16.1 matches only its own values to its own interfaces); name a compiled interface instead",
			types.TypeString(t, types.RelativeTo(r.in.Pkg))))
		return
	}
}

// reflectReaders are the packages whose functions read the values they
// are given through reflect, field names included.
var reflectReaders = map[string]bool{
	"encoding/json": true, "encoding/xml": true, "encoding/gob": true, "encoding/asn1": true,
	"reflect": true, "text/template": true, "html/template": true,
}

// namesFields matches a format verb that prints a struct's field names.
var namesFields = regexp.MustCompile(`%[-+# 0-9.*\[\]]*[+#][-+# 0-9.*\[\]]*v`)

// crossingArgs refuses the arguments of call that cross to compiled code
// as this file's comment says.
func (r *rewriter) crossingArgs(call *ast.CallExpr) {
	fn := calledFunc(r.in.Info, call)
	if fn == nil || fn.Pkg() == nil || !r.compiledFunc(fn) {
		return
	}
	sig := fn.Type().(*types.Signature)
	reads := reflectReaders[fn.Pkg().Path()] || printFuncs[fn.Pkg().Path()] && r.formatNamesFields(call, fn, sig)
	for i, a := range call.Args {
		t := r.in.Info.TypeOf(a)
		if t == nil {
			continue
		}
		if reads && r.reflectedStruct(t) {
			r.refuse(a.Pos(), ReasonReflectedFields, fmt.Sprintf("%s has type %s, whose unexported fields reflect would show as X+name (the interpreter makes the type with reflect.StructOf): %s.%s would see them otherwise than compiled code",
				r.renderNode(a), types.TypeString(t, types.RelativeTo(r.in.Pkg)), fn.Pkg().Name(), fn.Name()))
			return
		}
		if pt := paramAt(sig, i, call.Ellipsis.IsValid()); pt != nil {
			r.checkWrapped(a, t, pt)
		}
	}
}

// crossingResults refuses the results of a return statement of the
// patched function itself that cross to its compiled callers in yaegi's
// wrapper (this file's comment).
func (r *rewriter) crossingResults(ret *ast.ReturnStmt) {
	if r.in.Decl == nil || r.in.Change == nil || r.enclosingLit(ret) {
		return
	}
	fn, _ := r.in.Info.Defs[r.in.Decl.Name].(*types.Func)
	if fn == nil {
		return
	}
	res := fn.Type().(*types.Signature).Results()
	if len(ret.Results) != res.Len() {
		return
	}
	for i, e := range ret.Results {
		if t := r.in.Info.TypeOf(e); t != nil {
			r.checkWrapped(e, t, res.At(i).Type())
		}
	}
}

// checkWrapped refuses e, of type t, converted to dst, when dst is an
// interface with methods and t a comparable type the change declares.
func (r *rewriter) checkWrapped(e ast.Expr, t, dst types.Type) {
	it, ok := dst.Underlying().(*types.Interface)
	if !ok || !errorLike(it) || types.IsInterface(t) || !types.Comparable(t) || !r.declaredByChange(t) {
		return
	}
	r.refuse(e.Pos(), ReasonWrappedCompared, fmt.Sprintf("%s of type %s, which this change declares, goes to compiled code as %s in the interpreter's wrapper, which compiled code cannot compare (== would panic, errors.Is answer false)",
		r.renderNode(e), types.TypeString(t, types.RelativeTo(r.in.Pkg)), types.TypeString(dst, types.RelativeTo(r.in.Pkg))))
}

// errorLike reports whether interface it has the method Error() string:
// error values are the ones compiled code compares as a matter of course
// (err == ErrX, errors.Is), where a wrapper answers false without a word.
// A value of another interface (a Shape, a Stringer) crosses: compiled
// code rarely compares those, and when it compares two wrappers, == panics
// rather than answering wrong.
func errorLike(it *types.Interface) bool {
	for i := 0; i < it.NumMethods(); i++ {
		m := it.Method(i)
		sig := m.Type().(*types.Signature)
		if m.Name() == "Error" && sig.Params().Len() == 0 && sig.Results().Len() == 1 && types.Identical(sig.Results().At(0).Type(), types.Typ[types.String]) {
			return true
		}
	}
	return false
}

// declaredByChange reports whether t is a named type the change declares,
// or a pointer to one.
func (r *rewriter) declaredByChange(t types.Type) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	return ok && r.in.Change != nil && named.Obj().Pkg() == r.in.Change.Pkg && !r.compiled(named)
}

// compiledFunc reports whether fn runs compiled: a function of another
// package. Those of the input's own package are taken to run interpreted,
// as when a change patches them.
func (r *rewriter) compiledFunc(fn *types.Func) bool {
	return fn.Pkg().Path() != r.in.Pkg.Path()
}

// formatNamesFields reports whether call, of a function of fmt or log,
// may print field names: its format (the parameter before the variadic
// one of a function whose name ends in f) is not constant or has a verb
// with + or #.
func (r *rewriter) formatNamesFields(call *ast.CallExpr, fn *types.Func, sig *types.Signature) bool {
	if !strings.HasSuffix(fn.Name(), "f") || !sig.Variadic() || sig.Params().Len() < 2 {
		return false
	}
	k := sig.Params().Len() - 2
	if k >= len(call.Args) {
		return false
	}
	tv := r.in.Info.Types[call.Args[k]]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		return true
	}
	return namesFields.MatchString(constant.StringVal(tv.Value))
}

// reflectedStruct reports whether t is or holds a struct type that
// interpreted code declares with unexported fields: one the change
// declares, one declared inside a function, or one without a name.
func (r *rewriter) reflectedStruct(t types.Type) bool {
	found := false
	var visit func(types.Type) bool
	visit = func(t types.Type) bool {
		switch x := t.(type) {
		case *types.Named:
			if r.interpretedNamed(x) {
				if st, ok := x.Underlying().(*types.Struct); ok {
					found = found || unexportedFields(st)
					naming.WalkTypes(st, visit)
				}
			}
		case *types.Struct:
			found = found || unexportedFields(x)
		}
		return !found
	}
	naming.WalkTypes(t, visit)
	return found
}

// interpretedNamed reports whether the interpreter makes named type x: the
// change declares it, or a function declares it inside.
func (r *rewriter) interpretedNamed(x *types.Named) bool {
	obj := x.Obj()
	if obj.Pkg() == nil {
		return false
	}
	return obj.Parent() != nil && obj.Parent() != obj.Pkg().Scope() || r.in.Change != nil && obj.Pkg() == r.in.Change.Pkg && !r.compiled(x)
}

// unexportedFields reports whether st has an unexported field.
func unexportedFields(st *types.Struct) bool {
	for i := 0; i < st.NumFields(); i++ {
		if !st.Field(i).Exported() {
			return true
		}
	}
	return false
}

// paramAt returns the type of the parameter of sig that argument i goes
// to (the element type of a variadic one, unless spread), or nil.
func paramAt(sig *types.Signature, i int, spread bool) types.Type {
	n := sig.Params().Len()
	switch {
	case n == 0:
		return nil
	case sig.Variadic() && i >= n-1 && !spread:
		return sig.Params().At(n - 1).Type().(*types.Slice).Elem()
	case i < n:
		return sig.Params().At(i).Type()
	}
	return nil
}

// enclosingLit reports whether n is inside a function literal of the
// input.
func (r *rewriter) enclosingLit(n ast.Node) bool {
	inside := false
	for _, s := range r.in.Stmts {
		ast.Inspect(s, func(m ast.Node) bool {
			if lit, ok := m.(*ast.FuncLit); ok && lit.Pos() <= n.Pos() && n.End() <= lit.End() {
				inside = true
			}
			return !inside
		})
	}
	return inside
}
