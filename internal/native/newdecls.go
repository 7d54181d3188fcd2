package native

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/internal/change"
)

// What a change declares anew (a function, a type with its methods, a
// method of a compiled type) the plugin declares too, as the change
// wrote it, with the same rewriting and a //line directive of its own:
// the plugin's code calls its own copy. A new method of a compiled type
// cannot be declared outside its package: the plugin declares it as a
// function of its receiver first (newMethodName), and its calls call that.
// A package variable or constant the change declares anew: newvars.go.

// newDecls gathers the new declarations a plugin's code uses.
type newDecls struct {
	c     *change.Checked
	done  map[types.Object]bool
	queue []types.Object
	// consts are the const declarations written, each once.
	consts map[*ast.GenDecl]bool
}

// need records that the plugin uses obj, a package-level object the
// change declares anew.
func (nd *newDecls) need(obj types.Object) error {
	switch o := obj.(type) {
	case *types.Func:
	case *types.TypeName:
		if o.IsAlias() {
			return notCovered("it uses type alias %s, which the change declares anew", o.Name())
		}
		nd.add(obj)
		if named, ok := o.Type().(*types.Named); ok {
			for i := range named.NumMethods() {
				nd.add(named.Method(i))
			}
		}
		return nil
	case *types.Var: // newvars.go: shared with the interpreter's patch, if any
	case *types.Const:
	default:
		return notCovered("it uses %s, which the change declares anew", obj.Name())
	}
	nd.add(obj)
	return nil
}

func (nd *newDecls) add(obj types.Object) {
	if !nd.done[obj] {
		nd.done[obj] = true
		nd.queue = append(nd.queue, obj)
	}
}

// declared reports whether t, or what it points to, is a named type that
// the plugin declares as the change does: one the change declares anew
// at package level, or one declared inside a function, which the plugin's
// copy of the function declares (and which a package-level type of the
// same name does not concern).
func (nd *newDecls) declared(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() != nd.c.Pkg {
		return false
	}
	return named.Obj().Parent() != nd.c.Pkg.Scope() || nd.c.Compiled.Scope().Lookup(named.Obj().Name()) == nil
}

// newMethod returns the compiled type of which m is a method the change
// adds, or nil when m is not one.
func (nd *newDecls) newMethod(m *types.Func) *types.TypeName {
	m = m.Origin() // a method of an instance of a generic type: as declared
	recv := m.Signature().Recv()
	if recv == nil {
		return nil
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() != nd.c.Pkg {
		return nil
	}
	tn, ok := nd.c.Compiled.Scope().Lookup(named.Obj().Name()).(*types.TypeName)
	if !ok {
		return nil // of a new type
	}
	if o, _, _ := types.LookupFieldOrMethod(tn.Type(), true, nd.c.Compiled, m.Name()); o != nil &&
		types.TypeString(o.Type(), types.RelativeTo(o.Pkg())) == types.TypeString(m.Type(), types.RelativeTo(m.Pkg())) {
		return nil // compiled as it is (a method whose signature changed is new)
	}
	return tn
}

// newMethodName is the name of the plugin's function for method m of
// compiled type tn, which the change adds.
func newMethodName(tn *types.TypeName, m *types.Func) string {
	return "LpNewM_" + tn.Name() + "_" + m.Name()
}

// newMethodCall rewrites x.m(args), a call of m, a method the change adds
// to a compiled type, into a call of the plugin's function for it:
// newMethodName(x, args), x's address taken or x dereferenced as m's
// receiver wants; and x.m, a method value of it, into a closure of that
// call (newMethodValue).
func (w *funcWriter) newMethodCall(se *ast.SelectorExpr, m *types.Func) {
	call, ok := w.calls[se]
	sel := w.c.Info.Selections[se]
	if tn := w.nd.newMethod(m); tn.Type().(*types.Named).TypeParams().Len() > 0 {
		w.fail(notCovered("method %s, which the change adds to generic type %s", m.Name(), tn.Name()))
		return
	}
	if sel.Kind() != types.MethodVal || len(sel.Index()) != 1 {
		w.fail(notCovered("method %s, which the change adds, is not called directly", m.Name()))
		return
	}
	if !ok {
		w.newMethodValue(se, sel, m)
		return
	}
	tn := w.nd.newMethod(m)
	w.nd.add(m)
	w.handled[se.Sel] = true
	_, ptrMethod := m.Signature().Recv().Type().(*types.Pointer)
	_, ptr := sel.Recv().Underlying().(*types.Pointer)
	prefix, suffix := newMethodName(tn, m)+"(", ""
	switch {
	case ptrMethod && !ptr:
		prefix, suffix = prefix+"&(", ")"
	case !ptrMethod && ptr:
		prefix, suffix = prefix+"*(", ")"
	}
	if len(call.Args) > 0 {
		suffix += ", "
	}
	w.insert(se.X.Pos(), prefix)
	w.edits = append(w.edits, edit{w.off(se.X.End()), w.off(call.Lparen) + 1, suffix})
}

// newMethodValue rewrites x.m, a method value of m, a method the change
// adds to a compiled type, into a closure that calls the plugin's
// function for it with the receiver evaluated where the method value is,
// as Go evaluates it:
//
//	func() func(int) int { lpR := &(x); return func(lpA0 int) int { return LpNewM_T_m(lpR, lpA0) } }()
func (w *funcWriter) newMethodValue(se *ast.SelectorExpr, sel *types.Selection, m *types.Func) {
	sig := m.Signature()
	sigText, err := w.typeText(types.NewSignatureType(nil, nil, nil, sig.Params(), sig.Results(), sig.Variadic())) // newvars.go
	if err != nil {
		w.fail(err)
		return
	}
	var params, args []string
	for i := range sig.Params().Len() {
		typ, err := w.typeText(sig.Params().At(i).Type())
		if err != nil {
			w.fail(err)
			return
		}
		name := "lpA" + strconv.Itoa(i)
		if sig.Variadic() && i == sig.Params().Len()-1 {
			typ, name = "..."+strings.TrimPrefix(typ, "[]"), name+"..."
		}
		params = append(params, strings.TrimSuffix(name, "...")+" "+typ)
		args = append(args, name)
	}
	resText, err := w.typeText(types.NewSignatureType(nil, nil, nil, nil, sig.Results(), false))
	if err != nil {
		w.fail(err)
		return
	}
	results := strings.TrimPrefix(resText, "func()")
	ret := "return "
	if sig.Results().Len() == 0 {
		ret = ""
	}
	tn := w.nd.newMethod(m)
	w.nd.add(m)
	w.handled[se.Sel] = true
	_, ptrMethod := sig.Recv().Type().(*types.Pointer)
	_, ptr := sel.Recv().Underlying().(*types.Pointer)
	recv, recvEnd := "", ""
	switch {
	case ptrMethod && !ptr:
		recv, recvEnd = "&(", ")"
	case !ptrMethod && ptr:
		recv, recvEnd = "*(", ")"
	}
	call := newMethodName(tn, m) + "(" + strings.Join(append([]string{"lpR"}, args...), ", ") + ")"
	w.insert(se.X.Pos(), "func() "+sigText+" { lpR := "+recv)
	w.edits = append(w.edits, edit{w.off(se.X.End()), w.off(se.End()),
		recvEnd + "; return func(" + strings.Join(params, ", ") + ")" + results + " { " + ret + call + " } }()"})
}

// write writes the new declarations the plugin's code uses, and those
// they use in turn, each after a //line directive.
func (nd *newDecls) write(body *bytes.Buffer, imports map[string]string) error {
	for len(nd.queue) > 0 {
		obj := nd.queue[0]
		nd.queue = nd.queue[1:]
		f, n := nd.declOf(obj)
		if n == nil {
			return notCovered("the declaration of %s, which the change declares anew, is not in the saved files", obj.Name())
		}
		w := newWriter(nd.c, f.Src, imports, nd)
		var text string
		var err error
		pos := nd.c.Fset.PositionFor(n.Pos(), false)
		switch n := n.(type) {
		case *ast.FuncDecl:
			name := ""
			if tn := nd.newMethod(obj.(*types.Func)); tn != nil {
				name = newMethodName(tn, obj.(*types.Func))
			}
			text, err = w.writeFunc(n, name)
			pos = nd.c.Fset.PositionFor(n.Type.Func, false)
		case *ast.TypeSpec:
			text, err = w.write(n, n.Name)
			text = "type " + text
			pos.Column = 1
		case *ast.ValueSpec:
			text, err = w.writeVar(n, obj.(*types.Var)) // newvars.go
			pos.Column = max(1, pos.Column-len("var "))
		case *ast.GenDecl:
			if nd.consts[n] {
				continue
			}
			nd.consts[n] = true
			text, err = w.writeConsts(n)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(body, "\n//line %s:%d:%d\n%s\n", f.Path, pos.Line, pos.Column, text)
	}
	return nil
}

// declOf returns the saved file and the declaration (a *ast.FuncDecl, a
// *ast.TypeSpec, a variable's *ast.ValueSpec or a constant's whole
// *ast.GenDecl) of obj, or a nil node.
func (nd *newDecls) declOf(obj types.Object) (change.ChangedFile, ast.Node) {
	tok := nd.c.Fset.File(obj.Pos())
	for _, f := range nd.c.Files {
		if nd.c.Fset.File(f.Syntax.Pos()) != tok {
			continue
		}
		for _, d := range f.Syntax.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.Pos() == obj.Pos() {
					return f, d
				}
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					switch sp := sp.(type) {
					case *ast.TypeSpec:
						if sp.Name.Pos() == obj.Pos() {
							return f, sp
						}
					case *ast.ValueSpec:
						for _, n := range sp.Names {
							if n.Pos() != obj.Pos() {
								continue
							}
							if d.Tok == token.CONST {
								return f, d
							}
							return f, sp
						}
					}
				}
			}
		}
	}
	return change.ChangedFile{}, nil
}
