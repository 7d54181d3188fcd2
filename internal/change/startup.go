package change

import (
	"context"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/packages"
)

// A start-up function is one whose every call runs at most once in the
// life of the program, as far as the source shows: a patch of it takes
// effect only if it is called again, which it may never be. The rule, on
// the build's type information:
//
//   - every use of the function in the user's packages is a direct call
//     (f(...), x.m(...), go f(...), defer f(...)), and it has at least one;
//   - no call is inside a loop (for, range) or a function literal of the
//     function that makes it;
//   - every call is in a package variable's initializer, an init
//     function, main.main, or a start-up function (by the same rule; a
//     cycle of calls is not start-up);
//   - a method is not start-up when some interface type declared at
//     package level in a loaded package has a method of its name: a call
//     through an interface does not show in the source.
//
// A function taken as a value (a handler passed to a router) is never
// start-up: whoever holds the value may call it at any time. Whether it
// has run is the agent's to say (wire.FuncCalls.Ran), not this rule's.

// callSite is one use of a function in the user's packages.
type callSite struct {
	once   bool        // a direct call outside loops and function literals
	caller *types.Func // the declared function making it; nil when top is set
	top    bool        // in a package variable's initializer, an init function or main.main
}

// startupIndex is what the rule reads of a build, made once.
type startupIndex struct {
	pkgs         []*packages.Package
	sites        map[*types.Func][]callSite
	ifaceMethods map[string]bool
}

// startupIndex returns the build's index for the rule, made on first use;
// nil without type information.
func (p *Build) startupIndex(ctx context.Context) *startupIndex {
	p.startupMu.Lock()
	defer p.startupMu.Unlock()
	if p.startup != nil || p.res == nil {
		return p.startup
	}
	_, pkgs, err := p.res.TypeInfo(ctx)
	if err != nil {
		return nil
	}
	p.startup = &startupIndex{pkgs: pkgs, sites: callSites(pkgs), ifaceMethods: interfaceMethods(pkgs)}
	return p.startup
}

// StartupOnly returns the keys, of those given, of the start-up functions
// (see above). It reads the build's type information; without it, it
// returns none.
func (p *Build) StartupOnly(ctx context.Context, keys []string) map[string]bool {
	out := map[string]bool{}
	idx := p.startupIndex(ctx)
	if idx == nil {
		return out
	}
	for _, key := range keys {
		f, found := p.funcs[key]
		if !found {
			continue
		}
		for _, lp := range idx.pkgs {
			if lp.PkgPath != f.Package || lp.Types == nil {
				continue
			}
			if fn, ok := lookup(lp.Types, key[len(f.Package)+1:]).(*types.Func); ok && idx.startup(fn, map[*types.Func]bool{}) {
				out[key] = true
			}
		}
	}
	return out
}

// startup applies the rule to fn; visiting holds the functions whose
// callers are being looked at.
func (idx *startupIndex) startup(fn *types.Func, visiting map[*types.Func]bool) bool {
	if visiting[fn] || len(idx.sites[fn]) == 0 {
		return false
	}
	if sig, _ := fn.Type().(*types.Signature); sig != nil && sig.Recv() != nil && idx.ifaceMethods[fn.Name()] {
		return false
	}
	visiting[fn] = true
	defer delete(visiting, fn)
	for _, s := range idx.sites[fn] {
		if !s.once || !s.top && !idx.startup(s.caller, visiting) {
			return false
		}
	}
	return true
}

// callSites indexes the uses of every function and method in the syntax
// of pkgs (the user's packages carry it).
func callSites(pkgs []*packages.Package) map[*types.Func][]callSite {
	sites := map[*types.Func][]callSite{}
	for _, lp := range pkgs {
		if lp.TypesInfo == nil {
			continue
		}
		for _, file := range lp.Syntax {
			for _, d := range file.Decls {
				declSites(lp, d, sites)
			}
		}
	}
	return sites
}

// declSites adds the uses of functions in declaration d to sites.
func declSites(lp *packages.Package, d ast.Decl, sites map[*types.Func][]callSite) {
	base := callSite{top: true}
	if fd, ok := d.(*ast.FuncDecl); ok {
		plain := fd.Recv == nil
		base.top = plain && fd.Name.Name == "init" || plain && fd.Name.Name == "main" && lp.Name == "main"
		if !base.top {
			base.caller, _ = lp.TypesInfo.Defs[fd.Name].(*types.Func)
		}
	}
	var stack []ast.Node
	ast.Inspect(d, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		fn, ok := lp.TypesInfo.Uses[id].(*types.Func)
		if !ok {
			return true
		}
		s := base
		s.once = directCall(stack) && !inLoop(stack)
		if !s.top && s.caller == nil {
			s.once = false // a method of a generic type, or no type information
		}
		fn = fn.Origin()
		sites[fn] = append(sites[fn], s)
		return true
	})
}

// directCall reports whether the identifier on top of stack is the
// function called: f(...) or x.f(...).
func directCall(stack []ast.Node) bool {
	id := stack[len(stack)-1]
	var fun ast.Node = id
	i := len(stack) - 2
	if i >= 0 {
		if sel, ok := stack[i].(*ast.SelectorExpr); ok && sel.Sel == id {
			fun = sel
			i--
		}
	}
	if i < 0 {
		return false
	}
	call, ok := stack[i].(*ast.CallExpr)
	return ok && call.Fun == fun
}

// inLoop reports whether a node of stack, below its top, is a loop or a
// function literal.
func inLoop(stack []ast.Node) bool {
	for _, n := range stack[:len(stack)-1] {
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt, *ast.FuncLit:
			return true
		}
	}
	return false
}

// interfaceMethods returns the names of the methods of the interface types
// declared at package level in pkgs.
func interfaceMethods(pkgs []*packages.Package) map[string]bool {
	names := map[string]bool{}
	seen := map[*types.Package]bool{}
	var visit func(p *types.Package)
	visit = func(p *types.Package) {
		if p == nil || seen[p] {
			return
		}
		seen[p] = true
		for _, name := range p.Scope().Names() {
			tn, ok := p.Scope().Lookup(name).(*types.TypeName)
			if !ok {
				continue
			}
			if it, ok := tn.Type().Underlying().(*types.Interface); ok {
				for m := range it.Methods() {
					names[m.Name()] = true
				}
			}
		}
		for _, imp := range p.Imports() {
			visit(imp)
		}
	}
	for _, lp := range pkgs {
		visit(lp.Types)
	}
	return names
}
