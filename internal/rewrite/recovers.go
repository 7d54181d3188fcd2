package rewrite

import (
	"go/ast"
	"go/types"
)

// A deferred call of a declared function or method that calls recover
// (defer g.catch(), with catch recovering): yaegi v0.16.1 recovers a
// panic itself when it unwinds an interpreted frame, before it runs the
// frame's deferred calls, and re-raises it after them. A deferred function
// literal sees the panic through yaegi's own recover; a declared function
// is the compiled one (through its prologue, or a replacement behind the
// agent's wrapper), whose recover finds no panic going on. The panic then
// goes on where the compiled code stopped it: a silent difference, so the
// function that defers it stays compiled. The callee's body is looked for
// in the input's file; one declared in another file is not seen. For the
// same reason a declared function that calls recover itself (one meant to
// be deferred) stays compiled: replaced, its recover runs in the
// interpreter, called by the compiled function's prologue rather than
// by the deferring frame, and sees no panic whoever defers it.

// refuseDeferredRecover refuses d when it defers such a call.
func (r *rewriter) refuseDeferredRecover(d *ast.DeferStmt) {
	fn := calledFunc(r.in.Info, d.Call)
	if fn == nil || fn.Pkg() == nil || !r.isUser(fn.Pkg()) || r.in.File == nil {
		return
	}
	decl := declOf(r.in.File, fn)
	if decl == nil || decl.Body == nil || !callsRecover(decl.Body) {
		return
	}
	r.refuse(d.Pos(), ReasonDeferredRecover, "defer "+fn.Name()+"(...): "+fn.Name()+" calls recover, which the interpreter (yaegi v0.16.1) lets see no panic in a declared function it defers (it recovers the panic itself first): the panic would go on; defer a function literal that calls recover instead")
}

// refuseRecovering refuses decl when its body calls recover itself.
func (r *rewriter) refuseRecovering(decl *ast.FuncDecl) {
	if decl.Body == nil || !callsRecover(decl.Body) {
		return
	}
	r.refuse(decl.Pos(), ReasonDeferredRecover, decl.Name.Name+" calls recover: replaced, it runs in the interpreter behind the compiled function, where recover sees no panic whoever defers it (recover must be called by the deferred function itself)")
}

// calledFunc returns the declared function or method that call calls, or
// nil.
func calledFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		fn, _ := info.Uses[f].(*types.Func)
		return fn
	case *ast.SelectorExpr:
		fn, _ := info.Uses[f.Sel].(*types.Func)
		return fn
	}
	return nil
}

// declOf returns the declaration of fn in file, found by name (and the
// receiver's type name for a method): file is the syntax as built, whose
// objects are not the check's.
func declOf(file *ast.File, fn *types.Func) *ast.FuncDecl {
	recv := ""
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		t := sig.Recv().Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok {
			recv = n.Obj().Name()
		}
	}
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if ok && fd.Name.Name == fn.Name() && recvName(fd) == recv {
			return fd
		}
	}
	return nil
}

// recvName returns the name of fd's receiver's base type, or "".
func recvName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	t := fd.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// callsRecover reports whether body calls recover() itself, outside the
// function literals in it.
func callsRecover(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok && id.Name == "recover" && len(x.Args) == 0 {
				found = true
			}
		}
		return !found
	})
	return found
}
