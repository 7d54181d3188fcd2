package patcher

import (
	"go/ast"
	"go/types"

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
	// types that the declaration spells with type parameters in their
	// arguments, in the order of first occurrence.
	Instances []string
	// exprs are the expressions of Instances, in the builder's syntax.
	exprs []ast.Expr
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
	return fd.Type.TypeParams != nil && len(fd.Type.TypeParams.List) > 0 || fd.Recv != nil && genericReceiver(fd.Recv)
}

// ShapeOf returns the GenericShape of fd, a generic function or method
// checked with info, or why its prologue cannot have one.
func ShapeOf(fd *ast.FuncDecl, info *types.Info) (GenericShape, string) {
	var sh GenericShape
	for _, id := range TypeParamIdents(fd) {
		if id == nil || id.Name == "_" {
			return sh, ReasonGenericBlank
		}
		sh.TypeParams = append(sh.TypeParams, id.Name)
	}
	seen := map[string]bool{}
	ast.Inspect(fd, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.IndexExpr, *ast.IndexListExpr:
		default:
			return true
		}
		e := n.(ast.Expr)
		tv, ok := info.Types[e]
		if !ok || !tv.IsType() || !holdsTypeParam(tv.Type) {
			return true
		}
		if _, named := types.Unalias(tv.Type).(*types.Named); !named || holdsLocalType(tv.Type) {
			return true // a type declared in the body: the prologue cannot name it
		}
		if k := GenericInstanceKey(tv.Type); !seen[k] {
			seen[k] = true
			sh.Instances = append(sh.Instances, k)
			sh.exprs = append(sh.exprs, e)
		}
		return true
	})
	return sh, ""
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

// holdsTypeParam reports whether t is or holds a type parameter.
func holdsTypeParam(t types.Type) bool {
	found := false
	naming.WalkTypes(t, func(t types.Type) bool {
		if _, ok := t.(*types.TypeParam); ok {
			found = true
		}
		return !found
	})
	return found
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
