package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/patcher/naming"
	"github.com/livepatch/livepatch/target/agent"
)

// Generic code reaches the interpreter as instantiations. The builder
// registers, in each user package's symbol table, the instantiations of
// generic functions and types that the package's code uses (package
// patcher, instances.go): the rewriting writes a reference to one as its
// symbol, sortedKeys(m) as lpInst_sortedKeys_<hash>(m) and Set[int] as
// lpInst_Set_<hash>, so that patched code runs the compiled code exactly.
// An instantiation the build does not have (an edit that uses new type
// arguments, or a type declared inside the function) is:
//
//   - for a generic function of the standard library that the agent
//     implements (target/agent/stdgeneric), a call of that
//     implementation with explicit type arguments, which sidesteps yaegi's
//     failures to infer them: slices.Sort(s) becomes
//     lp_std.Slices_Sort[[]T, T](s), and the function as a value a
//     function literal calling it;
//   - for a generic function or type that the change itself declares
//     (interpreted), left to the interpreter, with explicit type arguments
//     on calls;
//   - for a compiled generic function of the changed package, a call, with
//     explicit type arguments, of an interpreted copy of it that the
//     change's helpers declare: its declaration as built, rewritten like
//     any other (genericHelpers), with the generic functions it needs in
//     turn;
//   - otherwise refused, with the instantiation named: yaegi cannot
//     instantiate compiled generic types, nor generic functions of other
//     packages (whose unexported names the copy could not reach).
//
// Instantiations of iter.Seq and iter.Seq2 are package lower's (lower.SeqTypes).

// instanceSymbol returns the symbol of the instantiation of origin with
// targs in the table of the input's package, or "" when the table does
// not hold it.
func (r *rewriter) instanceSymbol(origin types.Object, targs []types.Type) string {
	if !r.compiledObj(origin) {
		return ""
	}
	name, ok := patcher.InstanceName(r.in.Pkg, origin, targs)
	if !ok || !r.in.InstanceNames(r.in.Pkg.Path())[name] {
		return ""
	}
	return name
}

// compiledObj reports whether a package-level object is one the build
// compiled, as opposed to one a saved change declares anew.
func (r *rewriter) compiledObj(obj types.Object) bool {
	if r.in.Change == nil || obj.Pkg() != r.in.Change.Pkg {
		return true
	}
	old := r.in.Change.Compiled.Scope().Lookup(obj.Name())
	if old == nil {
		return false
	}
	_, wasType := old.(*types.TypeName)
	_, isType := obj.(*types.TypeName)
	return wasType == isType
}

// accessorBase returns the name the builder's accessors of the fields and
// methods of named use after their prefix: the type's name, or the symbol
// of its instantiation for an instantiated generic type.
func (r *rewriter) accessorBase(named *types.Named) string {
	if named.TypeArgs().Len() == 0 {
		return named.Obj().Name()
	}
	if name, ok := r.genericInstance(named); ok {
		return name // genericpatch.go
	}
	origin := named.Origin().Obj()
	name, ok := patcher.InstanceName(origin.Pkg(), origin, patcher.TypeArgs(named.TypeArgs()))
	if !ok || !r.in.InstanceNames(origin.Pkg().Path())[name] {
		r.refuse(named.Obj().Pos(), ReasonGeneric, fmt.Sprintf("%s: an unexported field or method of an instantiation the build does not have", types.TypeString(named, types.RelativeTo(r.in.Pkg))))
	}
	return name
}

// lowerGenerics rewrites the input's references to instantiations, in its
// statements and, for a function declaration, its signature.
func (r *rewriter) lowerGenerics() {
	if len(r.in.Info.Instances) == 0 {
		return
	}
	roots := make([]ast.Node, 0, len(r.in.Stmts)+2)
	for _, s := range r.in.Stmts {
		roots = append(roots, s)
	}
	if fd := r.funcDecl(); fd != nil {
		roots = append(roots, fd.Type)
	}
	for _, root := range roots {
		var stack []ast.Node
		ast.Inspect(root, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			if id, ok := n.(*ast.Ident); ok {
				r.lowerInstance(id, stack)
			}
			return true
		})
	}
}

// funcDecl returns the declaration whose body is the input, or nil.
func (r *rewriter) funcDecl() *ast.FuncDecl {
	if !r.in.Decls || len(r.in.Stmts) != 1 || r.in.File == nil {
		return nil
	}
	for _, d := range r.in.File.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && ast.Stmt(fd.Body) == r.in.Stmts[0] {
			return fd
		}
	}
	return nil
}

// instanceRef is a reference to an instantiation: the expression that
// denotes it (F, pkg.F, F[int], pkg.T[int]), whether it names the type
// arguments, and whether it is the function of a call.
type instanceRef struct {
	expr     ast.Expr
	explicit bool
	called   bool
}

// refOf returns the reference whose identifier is the last node of stack
// (the path from the root).
func refOf(stack []ast.Node) instanceRef {
	k := len(stack) - 1
	ref := instanceRef{expr: stack[k].(*ast.Ident)}
	parent := func() ast.Node {
		if k == 0 {
			return nil
		}
		return stack[k-1]
	}
	if sel, ok := parent().(*ast.SelectorExpr); ok && sel.Sel == stack[k] {
		ref.expr, k = sel, k-1
	}
	switch ix := parent().(type) {
	case *ast.IndexExpr:
		if ix.X == ref.expr {
			ref.expr, ref.explicit, k = ix, true, k-1
		}
	case *ast.IndexListExpr:
		if ix.X == ref.expr {
			ref.expr, ref.explicit, k = ix, true, k-1
		}
	}
	if call, ok := parent().(*ast.CallExpr); ok && call.Fun == ref.expr {
		ref.called = true
	}
	return ref
}

// lowerInstance rewrites the reference to an instantiation that id, the
// last node of stack, starts, if it is one.
func (r *rewriter) lowerInstance(id *ast.Ident, stack []ast.Node) {
	origin, targs := patcher.InstanceOf(r.in.Info, id)
	if origin == nil || origin.Pkg() == nil {
		return
	}
	ref := refOf(stack)
	_, isType := origin.(*types.TypeName)
	if isType && origin.Pkg().Path() == "iter" {
		return // lower.SeqTypes
	}
	if isType && r.in.Generic != nil && hasTypeParam(targs) {
		return // genericpatch.go
	}
	if name, ok := r.genericFunc(origin, targs); ok && hasTypeParam(targs) {
		r.add(ref.expr, func() string { return name }) // genericpatch.go
		return
	}
	if name := r.instanceSymbol(origin, targs); name != "" {
		r.add(ref.expr, func() string { return name })
		return
	}
	written := func() string {
		name := origin.Name()
		if origin.Pkg().Path() != r.in.Pkg.Path() {
			name = origin.Pkg().Name() + "." + name
		}
		return name + typeArgsText(targs, r.in.Pkg)
	}
	fn, isFunc := origin.(*types.Func)
	// Inside generic code (an interpreted copy), calls go without type
	// arguments, for yaegi to infer: it crashes instantiating f[T] whose
	// body calls g[T](x) when T is a named type.
	generic := hasTypeParam(targs)
	switch {
	case !r.compiledObj(origin):
		// Declared by the change: interpreted, generic in yaegi.
		if isFunc && ref.called && !ref.explicit && !generic {
			args, err := r.typeArgs(targs)
			if err == nil {
				r.add(ref.expr, func() string { return r.renderNode(ref.expr) + "[" + args + "]" })
			}
		}
	case isFunc && !r.in.User[fn.Pkg().Path()]:
		r.lowerStdInstance(id, ref, fn, targs, generic, written)
	case isFunc && r.in.Change != nil && fn.Pkg() == r.in.Change.Pkg:
		r.lowerChangeInstance(id, ref, fn, targs, generic, written)
	case isFunc:
		r.refuse(ref.expr.Pos(), ReasonGeneric, fmt.Sprintf("%s: the build does not have this instantiation (compiled generic code is reachable only at the type arguments the build's code uses, or, for a saved change, through an interpreted copy of a generic function of the changed package)", written()))
	default:
		r.refuse(ref.expr.Pos(), ReasonGeneric, fmt.Sprintf("%s: the build does not have this instantiation (yaegi cannot instantiate compiled generic types)", written()))
	}
}

// lowerStdInstance rewrites ref, an instantiation of fn, a compiled generic
// function outside the user's packages, to the interpreter's implementation
// of it (agent.GenericStd); generic says the type arguments name type
// parameters, and written names the instantiation in messages.
func (r *rewriter) lowerStdInstance(id *ast.Ident, ref instanceRef, fn *types.Func, targs []types.Type, generic bool, written func() string) {
	impl, inferred, ok := agent.GenericStd(fn.Pkg().Path(), fn.Name())
	if !ok {
		r.refuse(ref.expr.Pos(), ReasonGeneric, fmt.Sprintf("%s: the build does not have this instantiation and the interpreter has no implementation of %s.%s (yaegi cannot instantiate compiled generic code)", written(), fn.Pkg().Name(), fn.Name()))
		return
	}
	inst := inferred
	if !generic {
		args, err := r.typeArgs(targs)
		if err != nil {
			r.refuse(ref.expr.Pos(), ReasonGeneric, fmt.Sprintf("%s: %v", written(), err))
			return
		}
		inst = impl + "[" + args + "]"
	}
	if ref.called {
		r.add(ref.expr, func() string { return inst })
		return
	}
	sig, _ := r.in.Info.Instances[id].Type.(*types.Signature)
	lit, err := r.callingLiteral(sig, inst)
	if err != nil {
		r.refuse(ref.expr.Pos(), ReasonGeneric, fmt.Sprintf("%s: %v", written(), err))
		return
	}
	r.add(ref.expr, func() string { return lit })
}

// lowerChangeInstance rewrites ref, an instantiation of fn, a generic
// function of the changed package, to the interpreted copy the change's
// helpers declare; generic and written are as for lowerStdInstance.
func (r *rewriter) lowerChangeInstance(id *ast.Ident, ref instanceRef, fn *types.Func, targs []types.Type, generic bool, written func() string) {
	// Interpreted: the change's helpers declare it (genericHelpers).
	if msg := r.interpretGeneric(fn); msg != "" {
		r.refuse(ref.expr.Pos(), ReasonGeneric, written()+": "+msg)
		return
	}
	if generic {
		if ref.explicit {
			r.add(ref.expr, func() string { return fn.Name() })
		}
		return
	}
	args, err := r.typeArgs(targs)
	if err != nil {
		r.refuse(ref.expr.Pos(), ReasonGeneric, fmt.Sprintf("%s: %v", written(), err))
		return
	}
	name := fn.Name() + "[" + args + "]"
	if ref.called {
		r.add(ref.expr, func() string { return name })
		return
	}
	sig, _ := r.in.Info.Instances[id].Type.(*types.Signature)
	lit, err := r.callingLiteral(sig, name)
	if err != nil {
		r.refuse(ref.expr.Pos(), ReasonGeneric, fmt.Sprintf("%s: %v", written(), err))
		return
	}
	r.add(ref.expr, func() string { return lit })
}

// typeArgsText writes type arguments for a message.
func typeArgsText(targs []types.Type, self *types.Package) string {
	parts := make([]string, len(targs))
	for i, t := range targs {
		parts[i] = types.TypeString(t, types.RelativeTo(self))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// typeArgs writes type arguments for the interpreter.
func (r *rewriter) typeArgs(targs []types.Type) (string, error) {
	parts := make([]string, len(targs))
	for i, t := range targs {
		s, err := r.typeString(t)
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return strings.Join(parts, ", "), nil
}

// callingLiteral writes a function literal of signature sig that calls
// fn with its parameters: a generic function of lp_std used as a value
// (yaegi cannot take the value of an instantiation).
func (r *rewriter) callingLiteral(sig *types.Signature, fn string) (string, error) {
	if sig == nil {
		return "", fmt.Errorf("no signature")
	}
	var params, args []string
	for i := 0; i < sig.Params().Len(); i++ {
		t := sig.Params().At(i).Type()
		name := fmt.Sprintf("lpA%d", i)
		arg := name
		if sig.Variadic() && i == sig.Params().Len()-1 {
			t = t.(*types.Slice).Elem()
			s, err := r.typeString(t)
			if err != nil {
				return "", err
			}
			params = append(params, name+" ..."+s)
			args = append(args, arg+"...")
			continue
		}
		s, err := r.typeString(t)
		if err != nil {
			return "", err
		}
		params = append(params, name+" "+s)
		args = append(args, arg)
	}
	results, err := r.resultString(sig.Results())
	if err != nil {
		return "", err
	}
	call := fn + "(" + strings.Join(args, ", ") + ")"
	if sig.Results().Len() > 0 {
		call = "return " + call
	}
	return "func(" + strings.Join(params, ", ") + ")" + results + " { " + call + " }", nil
}

// typeText is typeString for lowerings that write the type of an
// expression the check accepted: when t cannot be written, the rewriting
// fails with the reason.
func (r *rewriter) typeText(t types.Type) string {
	s, err := r.typeString(t)
	if err != nil {
		r.refuse(token.NoPos, ReasonGeneric, err.Error())
		return types.TypeString(t, r.qualifier)
	}
	return s
}

// typeString writes t as the interpreter names it in the input's scope:
// an instantiation as its symbol, iter.Seq and iter.Seq2 as their func
// types, anything else as types.TypeString does (importing what it
// qualifies).
func (r *rewriter) typeString(t types.Type) (string, error) {
	if !hasInstance(t, 0) && (r.in.Generic == nil || !holdsTypeParam(t)) {
		return types.TypeString(t, r.qualifier), nil
	}
	switch x := t.(type) {
	case *types.TypeParam:
		if name, ok := r.typeParamName(x.Obj()); ok {
			return name, nil
		}
	case *types.Alias:
		return r.typeString(types.Unalias(x))
	case *types.Named:
		if x.Obj().Pkg() != nil && x.Obj().Pkg().Path() == "iter" {
			return r.typeString(x.Underlying())
		}
		if name := r.instanceSymbol(x.Origin().Obj(), patcher.TypeArgs(x.TypeArgs())); name != "" {
			return name, nil
		}
		if name, ok := r.genericInstance(x); ok {
			return name, nil
		}
		if x.TypeArgs().Len() == 0 {
			return types.TypeString(x, r.qualifier), nil
		}
		return "", fmt.Errorf("the build does not have %s", types.TypeString(x, types.RelativeTo(r.in.Pkg)))
	case *types.Pointer:
		s, err := r.typeString(x.Elem())
		return "*" + s, err
	case *types.Slice:
		s, err := r.typeString(x.Elem())
		return "[]" + s, err
	case *types.Array:
		s, err := r.typeString(x.Elem())
		return fmt.Sprintf("[%d]%s", x.Len(), s), err
	case *types.Map:
		k, err := r.typeString(x.Key())
		if err != nil {
			return "", err
		}
		v, err := r.typeString(x.Elem())
		return "map[" + k + "]" + v, err
	case *types.Chan:
		s, err := r.typeString(x.Elem())
		switch x.Dir() {
		case types.SendOnly:
			return "chan<- " + s, err
		case types.RecvOnly:
			return "<-chan " + s, err
		}
		if c, ok := x.Elem().(*types.Chan); ok && c.Dir() == types.RecvOnly {
			s = "(" + s + ")"
		}
		return "chan " + s, err
	case *types.Signature:
		params, err := r.tupleString(x.Params(), x.Variadic())
		if err != nil {
			return "", err
		}
		results, err := r.resultString(x.Results())
		return "func" + params + results, err
	}
	return "", fmt.Errorf("cannot write %s for the interpreter", types.TypeString(t, types.RelativeTo(r.in.Pkg)))
}

// resultString writes a result list after the parameters: "" for none,
// else a space and the list in parentheses.
func (r *rewriter) resultString(tup *types.Tuple) (string, error) {
	if tup.Len() == 0 {
		return "", nil
	}
	s, err := r.tupleString(tup, false)
	return " " + s, err
}

// tupleString writes a parameter list in parentheses, the last one as
// ...T when variadic.
func (r *rewriter) tupleString(tup *types.Tuple, variadic bool) (string, error) {
	parts := make([]string, tup.Len())
	for i := range parts {
		t := tup.At(i).Type()
		prefix := ""
		if variadic && i == tup.Len()-1 {
			t, prefix = t.(*types.Slice).Elem(), "..."
		}
		s, err := r.typeString(t)
		if err != nil {
			return "", err
		}
		parts[i] = prefix + s
	}
	return "(" + strings.Join(parts, ", ") + ")", nil
}

// hasInstance reports whether t is or holds an instantiated named type.
func hasInstance(t types.Type, depth int) bool {
	if depth > 10 {
		return false
	}
	switch x := t.(type) {
	case *types.Alias:
		return hasInstance(types.Unalias(x), depth+1)
	case *types.Named:
		return x.TypeArgs().Len() > 0
	case *types.Pointer:
		return hasInstance(x.Elem(), depth+1)
	case *types.Slice:
		return hasInstance(x.Elem(), depth+1)
	case *types.Array:
		return hasInstance(x.Elem(), depth+1)
	case *types.Map:
		return hasInstance(x.Key(), depth+1) || hasInstance(x.Elem(), depth+1)
	case *types.Chan:
		return hasInstance(x.Elem(), depth+1)
	case *types.Signature:
		return hasInstance(x.Params(), depth+1) || hasInstance(x.Results(), depth+1)
	case *types.Tuple:
		for i := 0; i < x.Len(); i++ {
			if hasInstance(x.At(i).Type(), depth+1) {
				return true
			}
		}
	case *types.Struct:
		for i := 0; i < x.NumFields(); i++ {
			if hasInstance(x.Field(i).Type(), depth+1) {
				return true
			}
		}
	}
	return false
}

// interpretGeneric records that the change needs an interpreted copy of
// fn, a compiled generic function of the changed package, and returns why
// it cannot have one, or "".
func (r *rewriter) interpretGeneric(fn *types.Func) string {
	// yaegi v0.16.1 takes a type parameter named like a symbol of a
	// dot-imported package for that symbol ("undefined type for T"); the
	// copy is compiled with the package dot-imported.
	tparams := fn.Type().(*types.Signature).TypeParams()
	for i := 0; i < tparams.Len(); i++ {
		if name := tparams.At(i).Obj().Name(); r.in.Change.Compiled.Scope().Lookup(name) != nil {
			return fmt.Sprintf("its type parameter %s has the name of a package-level %s, which the interpreter mistakes for it", name, name)
		}
	}
	if r.in.Change.Generics == nil {
		r.in.Change.Generics = map[*types.Func]bool{}
	}
	r.in.Change.Generics[fn] = true
	return ""
}

// hasTypeParam reports whether a type argument is or holds a type
// parameter: the reference is inside generic code.
func hasTypeParam(targs []types.Type) bool {
	found := false
	for _, t := range targs {
		naming.WalkTypes(t, func(t types.Type) bool {
			if _, ok := t.(*types.TypeParam); ok {
				found = true
			}
			return !found
		})
	}
	return found
}
