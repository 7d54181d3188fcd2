package patcher

import (
	"go/ast"
	"go/types"
	"strings"

	"github.com/livepatch/livepatch/internal/patcher/naming"
)

// A generic function or method has one dispatch prologue in its source
// body, which every instantiation runs (the compiler stencils one body per
// GC shape, with a dictionary for the types). The prologue asks the
// agent's table entry, an agent.Generic, for the replacement of the
// instantiation that runs, and gives it the instantiation's types as
// reflect types, in this order (GenericShape):
//
//  0. the function's type, func(receiver, parameters) results, as the
//     prologue asserts the replacement to;
//  1. each type parameter (the function's, or the receiver type's for a
//     method), in order;
//  2. each instantiated generic type that the declaration spells with
//     arguments holding type parameters (Stack[T] in a receiver, a
//     parameter or the body), in the order of first occurrence.
//
// The agent compiles the replacement once per instantiation, in which the
// i-th type parameter is named lpTP_<i> (rewrite.GenericTypeParamPrefix)
// and each instantiated type of 2. lpTI_<i> (GenericInstancePrefix), both
// bound to the types the prologue gave: the interpreter cannot
// instantiate a compiled generic type. A saved change
// of the function may spell only the instantiated types the compiled
// declaration spells; the rewriter refuses others.

// GenericInstancePrefix starts the name under which a patch of a generic
// function reaches the i-th instantiated type of its GenericShape, and
// under which the agent declares it: lpTI_0, lpTI_1, ...
const GenericInstancePrefix = "lpTI_"

// GenericShape is what the prologue of a generic function or method gives
// the agent besides the function's type.
type GenericShape struct {
	// TypeParams are the type parameters' names, in order.
	TypeParams []string
	// Instances are the keys (GenericInstanceKey) of the instantiated
	// generic types that hold type parameters, of the expressions of the
	// declaration (spelled, or the types of its expressions, and the
	// types they are made of).
	Instances []string
	// Funcs are the keys (GenericFuncKey) of the instantiations of generic
	// functions that the declaration uses with type parameters in their
	// type arguments; the prologue gives each as a func value
	// (lpTF_<i>), which runs the compiled instantiation and, through its
	// prologue, its patch.
	Funcs []string
	// Methods are the keys (GenericMethodKey) of the unexported methods of
	// the Instances of the package's own generic types; the prologue gives
	// each as a method expression (lpTM_<i>): reflect cannot call them.
	Methods []string

	// The builder's texts of each, in the declaration's file.
	instText, funcText, methodText []string
}

// GenericInstanceKey is the key of an instantiated type t, whose type
// arguments hold type parameters, in a GenericShape: its text with full
// import paths, which a saved declaration checked anew gives alike.
func GenericInstanceKey(t types.Type) string {
	return types.TypeString(t, nil)
}

// IsGeneric reports whether fd is a generic function or a method of a
// generic type.
func IsGeneric(fd *ast.FuncDecl) bool {
	return len(TypeParamIdents(fd)) > 0
}

// GenericFuncKey is the key of an instantiation of generic function
// origin in a GenericShape.
func GenericFuncKey(origin types.Object, targs []types.Type) string {
	parts := make([]string, len(targs))
	for i, t := range targs {
		parts[i] = types.TypeString(t, nil)
	}
	return origin.Pkg().Path() + "." + origin.Name() + "[" + strings.Join(parts, ", ") + "]"
}

// GenericMethodKey is the key of method name of the instantiated type
// whose key is inst, in a GenericShape.
func GenericMethodKey(inst, name string) string { return inst + "." + name }

// ShapeOf returns the GenericShape of fd, a generic function or method
// of package pkg checked with info, or why its prologue cannot have one.
// qual writes a package in the declaration's file ("" for pkg, false when
// the file cannot name it); the builder needs it for the texts, and
// others may give nil.
func ShapeOf(pkg *types.Package, fd *ast.FuncDecl, info *types.Info, qual func(*types.Package) (string, bool)) (GenericShape, string) {
	var sh GenericShape
	own := map[*types.TypeParam]bool{}
	for _, id := range TypeParamIdents(fd) {
		if id == nil || id.Name == "_" {
			return sh, ReasonGenericBlank
		}
		sh.TypeParams = append(sh.TypeParams, id.Name)
		if tn, ok := info.Defs[id].(*types.TypeName); ok {
			if tp, ok := tn.Type().(*types.TypeParam); ok {
				own[tp] = true
			}
		}
	}
	// ours reports whether t holds type parameters of fd and no others
	// (a generic callee's signature holds its own).
	ours := func(t types.Type) bool {
		mine, other := false, false
		naming.WalkTypes(t, func(t types.Type) bool {
			if tp, ok := t.(*types.TypeParam); ok {
				mine, other = mine || own[tp], other || !own[tp]
			}
			return !other
		})
		return mine && !other
	}
	text := func(t types.Type) (string, bool) {
		if qual == nil {
			return "", true
		}
		ok := true
		s := types.TypeString(t, func(p *types.Package) string {
			if p == pkg {
				return ""
			}
			n, named := qual(p)
			ok = ok && named
			return n
		})
		return s, ok
	}
	seen := map[string]bool{}
	var named []*types.Named
	addType := func(t types.Type) {
		naming.WalkTypes(t, func(t types.Type) bool {
			x, ok := t.(*types.Named)
			if !ok || x.TypeArgs().Len() == 0 || !ours(x) || holdsLocalType(x) {
				return true
			}
			k := GenericInstanceKey(x)
			if txt, ok := text(x); ok && !seen[k] {
				seen[k] = true
				sh.Instances = append(sh.Instances, k)
				sh.instText = append(sh.instText, txt)
				named = append(named, x)
			}
			return true
		})
	}
	for _, e := range exprsIn(fd, info) {
		addType(info.Types[e].Type)
	}
	for _, id := range instIdentsIn(fd, info) {
		fn, _ := info.Uses[id].(*types.Func)
		targs := TypeArgs(info.Instances[id].TypeArgs)
		if fn == nil || fn.Type().(*types.Signature).Recv() != nil || !ours(types.NewTuple(typeVars(targs)...)) {
			continue
		}
		k := GenericFuncKey(fn.Origin(), targs)
		if seen[k] {
			continue
		}
		q, ok := "", true
		if fn.Pkg() != pkg && qual != nil {
			q, ok = qual(fn.Pkg())
			q += "."
		}
		args := make([]string, len(targs))
		for i, t := range targs {
			var tok bool
			args[i], tok = text(t)
			ok = ok && tok && !holdsLocalType(t)
		}
		if ok {
			seen[k] = true
			sh.Funcs = append(sh.Funcs, k)
			sh.funcText = append(sh.funcText, q+fn.Name()+"["+strings.Join(args, ", ")+"]")
		}
	}
	for i, x := range named {
		if x.Obj().Pkg() != pkg {
			continue
		}
		for m := 0; m < x.Origin().NumMethods(); m++ {
			meth := x.Origin().Method(m)
			if meth.Exported() {
				continue
			}
			recv := sh.instText[i]
			if _, ptr := meth.Type().(*types.Signature).Recv().Type().(*types.Pointer); ptr {
				recv = "(*" + recv + ")"
			}
			sh.Methods = append(sh.Methods, GenericMethodKey(sh.Instances[i], meth.Name()))
			sh.methodText = append(sh.methodText, recv+"."+meth.Name())
		}
	}
	return sh, ""
}

// exprsIn returns the expressions of fd that info types, by position.
func exprsIn(fd *ast.FuncDecl, info *types.Info) []ast.Expr {
	var out []ast.Expr
	ast.Inspect(fd, func(n ast.Node) bool {
		if e, ok := n.(ast.Expr); ok {
			if _, typed := info.Types[e]; typed {
				out = append(out, e)
			}
		}
		return true
	})
	return out
}

// instIdentsIn returns the identifiers of fd that denote instantiations,
// by position.
func instIdentsIn(fd *ast.FuncDecl, info *types.Info) []*ast.Ident {
	var out []*ast.Ident
	ast.Inspect(fd, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if _, inst := info.Instances[id]; inst {
				out = append(out, id)
			}
		}
		return true
	})
	return out
}

// typeVars returns variables of types ts, for a tuple.
func typeVars(ts []types.Type) []*types.Var {
	out := make([]*types.Var, len(ts))
	for i, t := range ts {
		out[i] = types.NewParam(0, nil, "", t)
	}
	return out
}

// TypeParamIdents returns the type parameters of fd, a generic function
// or a method of a generic type, in order: a function's, or those of its
// receiver's type expression (*Stack[K, V] giving K and V).
func TypeParamIdents(fd *ast.FuncDecl) []*ast.Ident {
	if fd.Type.TypeParams != nil {
		var out []*ast.Ident
		for _, f := range fd.Type.TypeParams.List {
			out = append(out, f.Names...)
		}
		return out
	}
	if fd.Recv == nil || len(fd.Recv.List) != 1 {
		return nil
	}
	t := fd.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.ParenExpr:
			t = x.X
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			id, _ := x.Index.(*ast.Ident)
			return []*ast.Ident{id}
		case *ast.IndexListExpr:
			out := make([]*ast.Ident, len(x.Indices))
			for i, e := range x.Indices {
				out[i], _ = e.(*ast.Ident)
			}
			return out
		default:
			return nil
		}
	}
}

// holdsLocalType reports whether t is or holds a named type declared
// inside a function.
func holdsLocalType(t types.Type) bool {
	found := false
	naming.WalkTypes(t, func(t types.Type) bool {
		if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Parent() != n.Obj().Pkg().Scope() {
			found = true
		}
		return !found
	})
	return found
}
