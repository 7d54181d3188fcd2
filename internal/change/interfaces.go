package change

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"github.com/livepatch/livepatch/internal/change/classify"
	"github.com/livepatch/livepatch/internal/change/diag"
	"golang.org/x/tools/go/packages"
)

// ifaceChange is how a change changes the method set of a compiled
// interface type: the methods it gains and loses, by name, with their
// signatures (of the change's check for those gained, of the build's for
// those lost).
type ifaceChange struct {
	name           string
	compiled       *types.Named // the type as built
	added, removed map[string]*types.Signature
	at             token.Position
}

// interfaceChanges decides the compiled interface types of the changed
// package whose method set the change changes: those whose declaration
// changed (pl.Interfaces) and those that embed one. Compiled values of
// such a type keep the method table of the type as built, and compiled
// code (patched code too: the interpreter converts and asserts to the
// compiled type) tests the method set as built. That is sound when no
// code depends on the difference, so the change is refused, with the
// reason, when:
//   - unpatched compiled code calls a method the type loses (the new
//     source would not compile; the function must be edited too);
//   - code asserts to the type (or switches on it) from an operand whose
//     method set does not hold every method gained or lost: the assertion
//     tests the compiled method set, where a fresh build would test the
//     new one;
//   - a compiled struct type embeds the interface (its promoted methods
//     are the compiled ones);
//   - a compiled type that implements the interface as built lacks a
//     method it gains: compiled code may convert it to the interface, which
//     a fresh build would refuse (the bodies of the functions the change
//     leaves alone are not checked again);
//   - a method keeps its name and changes its signature.
//
// Converting a value to the type is fine either way: the compiled value
// has every method it had. Patched code that calls a method the type
// gains through a value of it, which the compiled method tables lack,
// calls it through a dispatch on the value's dynamic type
// (rewrite/ifacecalls.go): every compiled type that implements the
// interface has the method once the change is live (else it is refused,
// above). patched are the functions whose compiled body no longer
// runs (patchedSet).
func (b *Build) interfaceChanges(ctx context.Context, prog *Program, ch *Change, pl classify.Plan, patched map[string]bool) diag.Diagnostics {
	if len(pl.Interfaces) == 0 || b.res == nil {
		return nil
	}
	changes, refusals := ifaceChanges(prog, ch, pl)
	if len(changes) == 0 || len(refusals) > 0 {
		return refusals
	}
	fset, pkgs, err := b.res.TypeInfo(ctx)
	if err != nil || fset == nil {
		return diag.Diagnostics{{Pos: pl.Interfaces[0].Pos, Kind: diag.RefusedRestart, Msg: "interface changed and the build has no type information"}}
	}
	compiledSet := func(t types.Type) *types.MethodSet { return types.NewMethodSet(t) }
	freshSet := func(t types.Type) *types.MethodSet { return types.NewMethodSet(compiledOf(prog, ch, t)) }
	users := map[*ifaceChange][]string{}
	userKeys := map[*ifaceChange][]string{} // of compiled functions
	for _, lp := range pkgs {
		if lp.TypesInfo == nil {
			continue
		}
		refusals = append(refusals, embedders(lp, ch.pkgPath, changes)...)
		refusals = append(refusals, lackers(lp, changes, ch.fresh)...)
		for _, syn := range lp.Syntax {
			for _, d := range syn.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				key := classify.NewFuncDecl(fset, nil, lp.PkgPath, fd).Key
				if patched[key] {
					continue
				}
				for ic, how := range ifaceUses(fset, lp.TypesInfo, fd.Body, ch.pkgPath, changes, compiledSet, false) {
					users[ic] = append(users[ic], b.Display(key)+how)
					userKeys[ic] = append(userKeys[ic], key)
				}
			}
		}
	}
	for _, f := range ch.checked {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				for ic, how := range ifaceUses(prog.fset, ch.info, fd.Body, ch.pkgPath, changes, freshSet, true) {
					if strings.HasPrefix(how, " calls ") {
						continue // the rewriting dispatches on the value's type (rewrite/ifacecalls.go)
					}
					users[ic] = append(users[ic], "patched "+fd.Name.Name+how)
				}
			}
		}
	}
	for _, ic := range changes {
		if u := users[ic]; len(u) > 0 {
			sort.Strings(u)
			refusals = append(refusals, diag.Diagnostic{Pos: ic.at, Kind: diag.RefusedUnpatched, Edits: b.funcsPackage(userKeys[ic]),
				Msg: fmt.Sprintf("methods of interface %s changed (%s) and code depends on its compiled method set: %s", ic.name, ic.describe(), strings.Join(u, "; "))})
		}
	}
	return refusals
}

// describe names the methods the interface gains and loses.
func (ic *ifaceChange) describe() string {
	var parts []string
	for _, m := range sortedNames(ic.added) {
		parts = append(parts, "+"+m)
	}
	for _, m := range sortedNames(ic.removed) {
		parts = append(parts, "-"+m)
	}
	return strings.Join(parts, " ")
}

// ifaceChanges compares each named interface type of the changed package
// as built with the change's; a method that changes its signature is
// refused.
func ifaceChanges(prog *Program, ch *Change, pl classify.Plan) ([]*ifaceChange, diag.Diagnostics) {
	compiled := prog.pkgs[ch.pkgPath]
	if compiled == nil {
		return nil, nil
	}
	declared := map[string]token.Position{}
	for _, t := range pl.Interfaces {
		declared[t.Type] = t.Pos
	}
	var out []*ifaceChange
	var refusals diag.Diagnostics
	for _, name := range compiled.Scope().Names() {
		was, ok := interfaceNamed(compiled.Scope().Lookup(name))
		is, ok2 := interfaceNamed(ch.fresh.Scope().Lookup(name))
		if !ok || !ok2 || identicalAcross(was.Underlying(), is.Underlying()) {
			continue
		}
		at, ok := declared[name]
		if !ok {
			p := prog.fset.Position(ch.fresh.Scope().Lookup(name).Pos())
			at = token.Position{Filename: filepath.Base(p.Filename), Line: p.Line, Column: p.Column}
		}
		ic := &ifaceChange{name: name, compiled: was, added: map[string]*types.Signature{}, removed: map[string]*types.Signature{}, at: at}
		wi, ii := was.Underlying().(*types.Interface), is.Underlying().(*types.Interface)
		if !wi.IsMethodSet() || !ii.IsMethodSet() {
			refusals = append(refusals, diag.Diagnostic{Pos: at, Kind: diag.RefusedRestart, Msg: fmt.Sprintf("type set of interface %s changed", name)})
			continue
		}
		old := methodsByName(wi)
		for m, sig := range methodsByName(ii) {
			switch o, had := old[m]; {
			case !had:
				ic.added[m] = sig
			case !sameSignature(o, sig):
				refusals = append(refusals, diag.Diagnostic{Pos: at, Kind: diag.RefusedRestart, Msg: fmt.Sprintf("signature of method %s of interface %s changed", m, name)})
			}
			delete(old, m)
		}
		ic.removed = old
		out = append(out, ic)
	}
	return out, refusals
}

// interfaceNamed returns obj's type when obj is a type name (not an
// alias) of a named interface type, not generic.
func interfaceNamed(obj types.Object) (*types.Named, bool) {
	tn, ok := obj.(*types.TypeName)
	if !ok || tn.IsAlias() {
		return nil, false
	}
	n, ok := tn.Type().(*types.Named)
	if !ok || n.TypeParams().Len() > 0 {
		return nil, false
	}
	_, isIface := n.Underlying().(*types.Interface)
	return n, isIface
}

// methodsByName returns the methods of iface by name, with their
// signatures.
func methodsByName(iface *types.Interface) map[string]*types.Signature {
	out := map[string]*types.Signature{}
	for i := range iface.NumMethods() {
		m := iface.Method(i)
		out[m.Name()] = m.Type().(*types.Signature)
	}
	return out
}

// sortedNames returns the keys of m in order.
func sortedNames[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// changeOf returns the change of the named type t of package pkgPath, if
// changes has one.
func changeOf(t types.Type, pkgPath string, changes []*ifaceChange) *ifaceChange {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || pkgPath != namedPath(n) {
		return nil
	}
	for _, ic := range changes {
		if ic.name == n.Obj().Name() {
			return ic
		}
	}
	return nil
}

// namedPath returns the path of the package of n, "" for none.
func namedPath(n *types.Named) string { return pkgPath(n.Obj().Pkg()) }

// compiledOf returns, for a named type of the change's package, the
// type of that name as built, when there is one; else t.
func compiledOf(prog *Program, ch *Change, t types.Type) types.Type {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || namedPath(n) != ch.pkgPath {
		return t
	}
	if tn, ok := prog.pkgs[ch.pkgPath].Scope().Lookup(n.Obj().Name()).(*types.TypeName); ok {
		return tn.Type()
	}
	return t
}

// ifaceUses returns, for each interface of changes that body depends on,
// how: an assertion to it from an operand whose method set (methods)
// lacks a method gained or lost, a call of a method it loses (in compiled
// code), or, in patched code, a call of a method it gains.
func ifaceUses(fset *token.FileSet, info *types.Info, body *ast.BlockStmt, pkgPath string, changes []*ifaceChange, methods func(types.Type) *types.MethodSet, patched bool) map[*ifaceChange]string {
	out := map[*ifaceChange]string{}
	assert := func(operand ast.Expr, target ast.Expr) {
		tv, ok := info.Types[target]
		ic := changeOf(tv.Type, pkgPath, changes)
		if !ok || ic == nil {
			return
		}
		if ov, ok := info.Types[operand]; !ok || !holds(methods(ov.Type), ic) {
			p := fset.Position(operand.Pos())
			out[ic] = fmt.Sprintf(" asserts to %s (%s:%d)", ic.name, filepath.Base(p.Filename), p.Line)
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.TypeAssertExpr:
			if n.Type != nil {
				assert(n.X, n.Type)
			}
		case *ast.TypeSwitchStmt:
			var x ast.Expr
			switch g := n.Assign.(type) {
			case *ast.AssignStmt:
				x = g.Rhs[0].(*ast.TypeAssertExpr).X
			case *ast.ExprStmt:
				x = g.X.(*ast.TypeAssertExpr).X
			}
			for _, cc := range n.Body.List {
				for _, e := range cc.(*ast.CaseClause).List {
					assert(x, e)
				}
			}
		case *ast.SelectorExpr:
			sel := info.Selections[n]
			if sel == nil || sel.Kind() == types.FieldVal {
				return true
			}
			ic := changeOf(sel.Recv(), pkgPath, changes)
			switch {
			case ic == nil:
			case !patched && ic.removed[n.Sel.Name] != nil:
				out[ic] = " calls " + n.Sel.Name + ", which it loses"
			case patched && ic.added[n.Sel.Name] != nil:
				out[ic] = " calls " + n.Sel.Name
			}
			return true
		}
		return true
	})
	return out
}

// holds reports whether ms has every method that ic gains or loses, with
// the same signature: then a value of that method set satisfies the
// interface as built exactly when it satisfies it as changed.
func holds(ms *types.MethodSet, ic *ifaceChange) bool {
	for _, diff := range []map[string]*types.Signature{ic.added, ic.removed} {
		for name, sig := range diff {
			found := false
			for i := range ms.Len() {
				f := ms.At(i).Obj()
				found = found || f.Name() == name && sameSignature(f.Type().(*types.Signature), sig)
			}
			if !found {
				return false
			}
		}
	}
	return true
}

// embedders refuses the struct types of lp that embed an interface of
// changes (their promoted methods are those of the interface as built),
// and the interface types of another package that do (that package is
// not checked again: its method set would be the one as built).
func embedders(lp *packages.Package, pkgPath string, changes []*ifaceChange) diag.Diagnostics {
	var out diag.Diagnostics
	for _, name := range lp.Types.Scope().Names() {
		tn, ok := lp.Types.Scope().Lookup(name).(*types.TypeName)
		if !ok {
			continue
		}
		if it, ok := tn.Type().Underlying().(*types.Interface); ok && lp.PkgPath != pkgPath {
			for i := range it.NumEmbeddeds() {
				if ic := changeOf(it.EmbeddedType(i), pkgPath, changes); ic != nil {
					out = append(out, diag.Diagnostic{Pos: ic.at, Kind: diag.RefusedRestart,
						Msg: fmt.Sprintf("methods of interface %s changed and interface %s of package %s embeds it", ic.name, name, lp.Name)})
				}
			}
		}
		st, ok := tn.Type().Underlying().(*types.Struct)
		if !ok {
			continue
		}
		for i := range st.NumFields() {
			if f := st.Field(i); f.Embedded() {
				if ic := changeOf(f.Type(), pkgPath, changes); ic != nil {
					out = append(out, diag.Diagnostic{Pos: ic.at, Kind: diag.RefusedRestart,
						Msg: fmt.Sprintf("methods of interface %s changed and compiled struct type %s embeds it", ic.name, name)})
				}
			}
		}
	}
	return out
}

// lackers refuses the named types of lp (and pointers to them) that
// implement an interface of changes as built and lack a method it gains:
// compiled code may convert them to it, which a fresh build would refuse.
// A type of the changed package lacks it when its declaration in the
// change (fresh) has no such method either: a method the change adds to it
// is no lack, since a fresh build compiles, and compiled code converting
// the type, made before the interface gained the method, never calls it.
// (Patched code that calls it through the interface is refused on its own,
// in interfaceChanges.)
func lackers(lp *packages.Package, changes []*ifaceChange, fresh *types.Package) diag.Diagnostics {
	var out diag.Diagnostics
	for _, name := range lp.Types.Scope().Names() {
		tn, ok := lp.Types.Scope().Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		n, ok := tn.Type().(*types.Named)
		if !ok || n.TypeParams().Len() > 0 {
			continue
		}
		for _, ic := range changes {
			if len(ic.added) == 0 || n.Obj() == ic.compiled.Obj() {
				continue
			}
			iface := ic.compiled.Underlying().(*types.Interface)
			t := types.Type(n)
			if _, isIface := n.Underlying().(*types.Interface); !isIface && !types.Implements(t, iface) {
				t = types.NewPointer(n)
			}
			if !types.Implements(t, iface) {
				continue
			}
			ms := types.NewMethodSet(t)
			fms := freshMethods(lp, name, t, fresh)
			for _, m := range sortedNames(ic.added) {
				if ms.Lookup(ic.compiled.Obj().Pkg(), m) == nil && ms.Lookup(nil, m) == nil && (fms == nil || fms.Lookup(fresh, m) == nil && fms.Lookup(nil, m) == nil) {
					out = append(out, diag.Diagnostic{Pos: ic.at, Kind: diag.RefusedRestart,
						Msg: fmt.Sprintf("interface %s gains method %s, which compiled type %s.%s lacks, though it implements %s as built (compiled code may convert it to %s)", ic.name, m, lp.Name, name, ic.name, ic.name)})
					break
				}
			}
		}
	}
	return out
}

// freshMethods returns the method set, as the change declares it, of t,
// type name (or a pointer to it) of lp, when lp is the changed package
// (fresh) and the change declares name; else nil.
func freshMethods(lp *packages.Package, name string, t types.Type, fresh *types.Package) *types.MethodSet {
	if fresh == nil || lp.PkgPath != fresh.Path() {
		return nil
	}
	tn, ok := fresh.Scope().Lookup(name).(*types.TypeName)
	if !ok {
		return nil
	}
	ft := tn.Type()
	if _, isPtr := t.(*types.Pointer); isPtr {
		ft = types.NewPointer(ft)
	}
	return types.NewMethodSet(ft)
}
