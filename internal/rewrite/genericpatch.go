package rewrite

import (
	"fmt"
	"go/ast"
	"go/types"
	"strconv"

	"github.com/livepatch/livepatch/internal/patcher"
)

// A patch of a generic function or method (Input.Generic) is compiled by
// the agent once per instantiation, with each type parameter's name
// its type argument's symbol (target/agent, generic.go).
// The rewriting writes each type parameter as lpTP_<i>, its place in the
// list (a name no interpreted generic copy among the change's helpers can
// give its own type parameters: yaegi takes a type parameter named like a
// package-level type for that type), drops a function's type parameter
// list, and writes each instantiated generic type that holds type
// parameters (Stack[T], the receiver's type among
// them) as lpTI_<i>, its place in the compiled declaration's
// patcher.GenericShape, whose types the prologue gives: yaegi cannot
// instantiate a compiled generic type. The fields of such a type are
// reached through the accessors the agent makes for it
// (lpField_lpTI_<i>_<field>); its unexported methods cannot be, and are
// refused, as is an instantiated type the compiled declaration does not
// spell.

// GenericPatch describes the patch of a generic function for the
// rewriting.
type GenericPatch struct {
	// Instances, Funcs and Methods are the keys of the compiled
	// declaration's patcher.GenericShape.
	Instances, Funcs, Methods []string
}

// genericPatch rewrites the declaration of a generic function's patch.
func (r *rewriter) genericPatch() {
	fd := r.in.Decl
	if r.in.Generic == nil || fd == nil {
		return
	}
	if tps := fd.Type.TypeParams; tps != nil {
		r.add(tps, func() string { return "" })
	}
	ast.Inspect(fd, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if tn, ok := r.in.Info.Uses[id].(*types.TypeName); ok {
				if name, ok := r.typeParamName(tn); ok {
					r.add(id, func() string { return name })
				}
			}
			return true
		}
		switch n.(type) {
		case *ast.IndexExpr, *ast.IndexListExpr:
		default:
			return true
		}
		e := n.(ast.Expr)
		tv, ok := r.in.Info.Types[e]
		if !ok || !tv.IsType() {
			return true
		}
		named, ok := types.Unalias(tv.Type).(*types.Named)
		if !ok || !holdsTypeParam(named) {
			return true
		}
		name, ok := r.genericInstance(named)
		if !ok {
			r.refuse(e.Pos(), ReasonGeneric, fmt.Sprintf("%s: the compiled function does not use this instantiation, which the interpreter cannot make", types.TypeString(named, types.RelativeTo(r.in.Pkg))))
			return false
		}
		r.add(e, func() string { return name })
		return false
	})
}

// genericInstance returns the name under which the patch of a generic
// function reaches named, an instantiated type that holds type
// parameters: lpTI_<i>, or false when the compiled declaration does not
// spell it.
func (r *rewriter) genericInstance(named *types.Named) (string, bool) {
	if r.in.Generic == nil {
		return "", false
	}
	key := patcher.GenericInstanceKey(named)
	for i, k := range r.in.Generic.Instances {
		if k == key {
			return patcher.GenericInstancePrefix + strconv.Itoa(i), true
		}
	}
	return "", false
}

// typeParamName returns the name under which the patch of a generic
// function reaches type parameter tn of its declaration: lpTP_<i>.
func (r *rewriter) typeParamName(tn *types.TypeName) (string, bool) {
	if r.in.Generic == nil || r.in.Decl == nil {
		return "", false
	}
	for i, id := range patcher.TypeParamIdents(r.in.Decl) {
		if id != nil && r.in.Info.Defs[id] == tn {
			return GenericTypeParamPrefix + strconv.Itoa(i), true
		}
	}
	return "", false
}

// GenericTypeParamPrefix starts the name under which the patch of a
// generic function reaches its i-th type parameter, and under which the
// agent declares the type argument: lpTP_0, lpTP_1, ...
const GenericTypeParamPrefix = "lpTP_"

// genericFunc returns the name under which the patch of a generic
// function reaches the instantiation of generic function origin at targs
// (which hold type parameters): lpTF_<i>, the compiled instantiation the
// prologue gives, or false when the compiled declaration does not use it.
func (r *rewriter) genericFunc(origin types.Object, targs []types.Type) (string, bool) {
	if r.in.Generic == nil {
		return "", false
	}
	key := patcher.GenericFuncKey(origin, targs)
	for i, k := range r.in.Generic.Funcs {
		if k == key {
			return "lpTF_" + strconv.Itoa(i), true
		}
	}
	return "", false
}

// genericMethod returns the name under which the patch of a generic
// function reaches unexported method name of named, an instantiated type
// that holds type parameters: lpTM_<i>, which the agent makes from the
// method expression the prologue gives, and which returns the method
// value of its receiver as the builder's method accessors do.
func (r *rewriter) genericMethod(named *types.Named, name string) (string, bool) {
	key := patcher.GenericMethodKey(patcher.GenericInstanceKey(named), name)
	for i, k := range r.in.Generic.Methods {
		if k == key {
			return "lpTM_" + strconv.Itoa(i), true
		}
	}
	return "", false
}

// accessorQualifier returns the qualifier, with its dot, of the builder's
// accessors of named's fields and methods: none for an instantiated type
// of a generic patch, whose accessors the agent declares with it.
func (r *rewriter) accessorQualifier(named *types.Named) string {
	if r.in.Generic != nil && holdsTypeParam(named) {
		return ""
	}
	if q := r.qualifier(named.Obj().Pkg()); q != "" {
		return q + "."
	}
	return ""
}

// TypeParamNames returns the names of the type parameters of fd, a
// generic function or a method of a generic type, in order.
func TypeParamNames(fd *ast.FuncDecl) []string {
	var out []string
	for _, id := range patcher.TypeParamIdents(fd) {
		out = append(out, id.Name)
	}
	return out
}

// holdsTypeParam reports whether t is or holds a type parameter.
func holdsTypeParam(t types.Type) bool {
	return hasTypeParam([]types.Type{t})
}
