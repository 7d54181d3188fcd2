package patcher

import (
	"bytes"
	"fmt"
	"go/token"
	"go/types"
	"log/slog"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/target"
)

// Interface wrappers.
//
// When interpreted code turns a value of an interpreted type into a
// compiled interface type I of package p (`var s Shape = circle{}`, an
// argument of a compiled function taking a Shape), yaegi v0.16.1 builds a
// value of the wrapper type that the symbol "_I" of p names: a struct type
// whose first field, IValue, holds the interpreted value and whose other
// fields, one "W" + method name per method of I, hold the interpreted
// methods as funcs; its methods, which implement I, call those fields.
// Compiled code then calls the interpreted methods through it. A Go type
// with methods cannot be made at run time, so the builder writes them:
// every user package gets a file declaring the wrappers of its own
// interfaces (unexported ones and ones with unexported methods included:
// the file is in the package), and the root package one for the
// interfaces of the standard-library and dependency packages whose tables
// it registers, those the tables reach. The generated file registers each
// wrapper with agent.RegisterInterfaceWrappers, paired with its interface
// type: the agent files it under the package yaegi finds through
// reflect, which is "main" for a main package's interfaces. An interface
// left without a wrapper gets the agent's method-less stand-in (see
// target/agent/ifacewrap.go), enough for nil.

// ifaceWrappersFileName is the file, added through the overlay to a user
// package, that declares and registers its interface wrappers.
const ifaceWrappersFileName = "zz_livepatch_ifaces.go"

// Generated names, all under the prefix "lp_" that packageClash reserves.
const (
	ownWrapperPrefix = "lp_I_"  // lp_I_Shape wraps the package's own Shape
	depWrapperPrefix = "lp_ID"  // lp_ID3_Reader wraps a dependency's Reader (3 numbers the package)
	wrapperValue     = "IValue" // the field that holds the interpreted value
	wrapperFunc      = "W"      // prefixes the field of each method
)

// wrapped is one interface that gets a wrapper.
type wrapped struct {
	named   *types.Named
	methods []*types.Func // the full method set, embedded interfaces' included, sorted by name
	name    string        // the wrapper type's name
}

// wrapperMethods returns the method set of interface type named as a
// wrapper declared in package self implements it, or why it cannot: a
// wrapper is a struct type declared in self, so every method must be one
// that self can declare (exported, or unexported of self) with a signature
// that self can write, and no method may take the name of a field.
func wrapperMethods(named *types.Named, self *types.Package) ([]*types.Func, string) {
	if named.TypeParams().Len() > 0 || named.TypeArgs().Len() > 0 {
		return nil, "generic interface"
	}
	if o := named.Obj(); o.Parent() != nil && o.Pkg() != nil && o.Parent() != o.Pkg().Scope() {
		return nil, "local type"
	}
	it, ok := named.Underlying().(*types.Interface)
	if !ok || !it.IsMethodSet() || it.NumMethods() == 0 {
		return nil, "not an interface with methods"
	}
	names := map[string]bool{}
	var methods []*types.Func
	for i := 0; i < it.NumMethods(); i++ {
		m := it.Method(i)
		if !m.Exported() && m.Pkg() != self {
			return nil, fmt.Sprintf("method %s is unexported in %s", m.Name(), m.Pkg().Path())
		}
		sig := m.Type().(*types.Signature)
		if !nameable(sig, self) || !importableTypes(sig, self) {
			return nil, fmt.Sprintf("the signature of method %s cannot be written in %s", m.Name(), self.Path())
		}
		names[m.Name()] = true
		methods = append(methods, m)
	}
	sort.Slice(methods, func(i, j int) bool { return methods[i].Name() < methods[j].Name() })
	for _, m := range methods {
		if n := m.Name(); n == wrapperValue || strings.HasPrefix(n, wrapperFunc) && names[strings.TrimPrefix(n, wrapperFunc)] {
			return nil, fmt.Sprintf("method %s would clash with a field of the wrapper", n)
		}
	}
	return methods, ""
}

// importableTypes reports whether every package that t names can be
// imported by package self: none is internal to a tree self is outside of,
// vendored, or a main package.
func importableTypes(t types.Type, self *types.Package) bool {
	ok := true
	WalkTypes(t, func(t types.Type) bool {
		if x, isNamed := t.(*types.Named); isNamed {
			if p := x.Obj().Pkg(); p != nil && p != self && !importableFrom(p, self.Path()) {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// importableFrom reports whether a file of the package at path from may
// import p.
func importableFrom(p *types.Package, from string) bool {
	path := p.Path()
	if p.Name() == "main" || path == "main" {
		return false
	}
	elems := strings.Split(path, "/")
	for i, e := range elems {
		switch e {
		case "vendor":
			return false
		case "internal":
			parent := strings.Join(elems[:i], "/")
			if parent != "" && from != parent && !strings.HasPrefix(from, parent+"/") {
				return false
			}
			if parent == "" {
				return false // the standard library's, which user packages cannot import
			}
		}
	}
	return true
}

// ownInterfaces returns the interfaces declared at package level in pkg
// that get a wrapper, and reports the others through skipped.
func ownInterfaces(pkg *types.Package, skipped func(name, why string)) []wrapped {
	var out []wrapped
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		named, ok := tn.Type().(*types.Named)
		if !ok {
			continue
		}
		if _, isIface := named.Underlying().(*types.Interface); !isIface || genericType(tn) || constraintType(tn) {
			continue
		}
		sym := yaegiWrapperSymbol(name)
		if scope.Lookup(sym) != nil {
			skipped(sym, "name taken: no interface wrapper")
			continue
		}
		methods, why := wrapperMethods(named, pkg)
		if why != "" {
			skipped(sym, why)
			continue
		}
		out = append(out, wrapped{named: named, methods: methods, name: ownWrapperPrefix + name})
	}
	return out
}

// yaegiWrapperSymbol returns the symbol under which yaegi looks for the
// wrapper of interface name.
func yaegiWrapperSymbol(name string) string { return "_" + name }

// reachedInterfaces returns, by package, the interfaces of the packages of
// regs (the standard-library and dependency packages whose tables the
// root registers) that the symbol tables reach: one the tables name, or
// one met in the types of the tables' symbols (parameters, results,
// fields, elements, method signatures), transitively. Those are the
// interfaces patched code can meet. The user packages' tables hold all of
// their package-level names; a package of regs, the names of only[p] when
// only has p, its exported ones otherwise.
func reachedInterfaces(user, regs []*types.Package, only map[*types.Package]map[string]bool) map[*types.Package][]*types.Named {
	r := &reach{
		seen:  map[types.Type]bool{},
		user:  map[*types.Package]bool{},
		regs:  map[*types.Package]bool{},
		found: map[*types.Package][]*types.Named{},
	}
	for _, p := range user {
		r.user[p] = true
	}
	for _, p := range regs {
		r.regs[p] = true
	}
	for _, p := range user {
		for _, name := range p.Scope().Names() {
			r.object(p.Scope().Lookup(name))
		}
	}
	for _, p := range regs {
		names, restricted := only[p]
		for _, name := range p.Scope().Names() {
			if obj := p.Scope().Lookup(name); obj.Exported() && (!restricted || names[name]) {
				r.object(obj)
			}
		}
	}
	return r.found
}

// reach walks types for reachedInterfaces.
type reach struct {
	seen  map[types.Type]bool
	user  map[*types.Package]bool // packages whose unexported names are reachable
	regs  map[*types.Package]bool // packages whose interfaces are collected
	found map[*types.Package][]*types.Named
}

// object walks the type of a package-level object.
func (r *reach) object(obj types.Object) {
	switch obj.(type) {
	case *types.Func, *types.TypeName, *types.Var, *types.Const:
		r.typ(obj.Type())
	}
}

// visible reports whether interpreted code reaches a field or method of
// package p called name: exported ones, and every one of a user package
// (through the generated accessors).
func (r *reach) visible(p *types.Package, name string) bool {
	return token.IsExported(name) || r.user[p]
}

// typ walks t.
func (r *reach) typ(t types.Type) {
	if t == nil || r.seen[t] {
		return
	}
	r.seen[t] = true
	switch x := t.(type) {
	case *types.Alias:
		r.typ(types.Unalias(x))
	case *types.Named:
		if x.TypeParams().Len() > 0 && x.TypeArgs().Len() == 0 {
			return // a generic type itself: only its instances have values
		}
		for i := 0; i < x.TypeArgs().Len(); i++ {
			r.typ(x.TypeArgs().At(i))
		}
		if it, ok := x.Underlying().(*types.Interface); ok && it.NumMethods() > 0 && x.TypeArgs().Len() == 0 && r.regs[x.Obj().Pkg()] {
			r.found[x.Obj().Pkg()] = append(r.found[x.Obj().Pkg()], x)
		}
		r.typ(x.Underlying())
		for i := 0; i < x.NumMethods(); i++ {
			if m := x.Method(i); r.visible(m.Pkg(), m.Name()) {
				r.typ(m.Type())
			}
		}
	case *types.Pointer:
		r.typ(x.Elem())
	case *types.Slice:
		r.typ(x.Elem())
	case *types.Array:
		r.typ(x.Elem())
	case *types.Chan:
		r.typ(x.Elem())
	case *types.Map:
		r.typ(x.Key())
		r.typ(x.Elem())
	case *types.Signature:
		r.typ(x.Params())
		r.typ(x.Results())
	case *types.Tuple:
		for i := 0; i < x.Len(); i++ {
			r.typ(x.At(i).Type())
		}
	case *types.Struct:
		for i := 0; i < x.NumFields(); i++ {
			if f := x.Field(i); r.visible(f.Pkg(), f.Name()) || f.Embedded() {
				r.typ(f.Type())
			}
		}
	case *types.Interface:
		for i := 0; i < x.NumMethods(); i++ {
			if m := x.Method(i); r.visible(m.Pkg(), m.Name()) {
				r.typ(m.Type())
			}
		}
	}
}

// depInterfaces returns the wrappers that root package self declares for
// the interfaces of other packages that reached holds, sorted by package
// path and name, and reports those it cannot wrap through skipped.
func depInterfaces(self *types.Package, reached map[*types.Package][]*types.Named, skipped func(name, why string)) []wrapped {
	pkgs := make([]*types.Package, 0, len(reached))
	for p := range reached {
		if p != self {
			pkgs = append(pkgs, p)
		}
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Path() < pkgs[j].Path() })
	var out []wrapped
	for k, p := range pkgs {
		ifaces := append([]*types.Named(nil), reached[p]...)
		sort.Slice(ifaces, func(i, j int) bool { return ifaces[i].Obj().Name() < ifaces[j].Obj().Name() })
		for _, named := range ifaces {
			name := named.Obj().Name()
			if !named.Obj().Exported() {
				continue // the root cannot name it
			}
			methods, why := wrapperMethods(named, self)
			if why != "" {
				skipped(p.Path()+"."+yaegiWrapperSymbol(name), why)
				continue
			}
			out = append(out, wrapped{named: named, methods: methods, name: fmt.Sprintf("%s%d_%s", depWrapperPrefix, k, name)})
		}
	}
	return out
}

// interfaceWrappersFile returns the wrappers file of package self declaring
// ws, or nil when ws is empty.
func interfaceWrappersFile(self *types.Package, ws []wrapped) []byte {
	if len(ws) == 0 {
		return nil
	}
	imports := &importSet{self: self, names: map[string]string{}}
	imports.add(target.AgentImportPath, "lp_agent")
	var table, decls bytes.Buffer
	for _, w := range ws {
		iface := types.TypeString(w.named, imports.qualifier)
		fmt.Fprintf(&table, "\t{(*%s)(nil), (*%s)(nil)},\n", iface, w.name)
		writeWrapper(&decls, w, iface, imports.qualifier)
	}
	var b bytes.Buffer
	b.WriteString(generatedHeader)
	fmt.Fprintf(&b, "package %s\n\n", self.Name())
	imports.write(&b)
	b.WriteString("func init() { lp_agent.RegisterInterfaceWrappers(lp_ifaces[:]) }\n\n")
	b.WriteString("// lp_ifaces pairs each interface type with its wrapper type.\n")
	b.WriteString("var lp_ifaces = [...][2]interface{}{\n")
	b.Write(table.Bytes())
	b.WriteString("}\n")
	b.Write(decls.Bytes())
	return b.Bytes()
}

// writeWrapper writes the declaration of w's wrapper type, interface iface
// as the file names it, and its methods, which call the fields.
func writeWrapper(b *bytes.Buffer, w wrapped, iface string, q types.Qualifier) {
	fmt.Fprintf(b, "\n// %s is the interpreter's wrapper of %s.\n", w.name, iface)
	fmt.Fprintf(b, "type %s struct {\n\t%s interface{}\n", w.name, wrapperValue)
	for _, m := range w.methods {
		fmt.Fprintf(b, "\t%s%s func%s\n", wrapperFunc, m.Name(), signatureString(m.Type().(*types.Signature), q, false))
	}
	b.WriteString("}\n")
	for _, m := range w.methods {
		sig := m.Type().(*types.Signature)
		var args []string
		for i := 0; i < sig.Params().Len(); i++ {
			a := fmt.Sprintf("lp_a%d", i)
			if sig.Variadic() && i == sig.Params().Len()-1 {
				a += "..."
			}
			args = append(args, a)
		}
		call := fmt.Sprintf("lp_w.%s%s(%s)", wrapperFunc, m.Name(), strings.Join(args, ", "))
		if sig.Results().Len() > 0 {
			call = "return " + call
		}
		fmt.Fprintf(b, "\nfunc (lp_w %s) %s%s { %s }\n", w.name, m.Name(), signatureString(sig, q, true), call)
	}
}

// signatureString writes sig without its receiver and result names, its
// parameters named lp_a0, lp_a1, ... when named is set, unnamed otherwise.
func signatureString(sig *types.Signature, q types.Qualifier, named bool) string {
	var params []string
	for i := 0; i < sig.Params().Len(); i++ {
		t := sig.Params().At(i).Type()
		s := types.TypeString(t, q)
		if sig.Variadic() && i == sig.Params().Len()-1 {
			s = "..." + types.TypeString(t.(*types.Slice).Elem(), q)
		}
		if named {
			s = fmt.Sprintf("lp_a%d %s", i, s)
		}
		params = append(params, s)
	}
	out := "(" + strings.Join(params, ", ") + ")"
	switch res := sig.Results(); res.Len() {
	case 0:
	case 1:
		out += " " + types.TypeString(res.At(0).Type(), q)
	default:
		var rs []string
		for i := 0; i < res.Len(); i++ {
			rs = append(rs, types.TypeString(res.At(i).Type(), q))
		}
		out += " (" + strings.Join(rs, ", ") + ")"
	}
	return out
}

// addInterfaceWrappers adds the wrappers file of user package p (in
// pkgDir; generated files go to outDir) to the overlay, when it has
// wrappers: its own interfaces', and for a root package those of the
// interfaces of l.std that the tables reach (only is what the tables of
// dependencies hold, as for stdSymbols). It is a file of its own so that
// a wrapper the compiler rejected costs only that file: repairOverlay
// drops it, and the interfaces get the agent's stand-ins.
func addInterfaceWrappers(ov map[string]string, pkgDir, outDir string, p *packages.Package, root bool, l *loaded, only map[*types.Package]map[string]bool, log *slog.Logger) error {
	skipped := func(name, why string) {
		log.Debug("interface wrapper left out", "package", p.PkgPath, "name", name, "reason", why)
	}
	ws := ownInterfaces(p.Types, skipped)
	if root {
		var user, regs []*types.Package
		for _, u := range l.user {
			if u.Types != nil {
				user = append(user, u.Types)
			}
		}
		for _, s := range l.std {
			regs = append(regs, s.Types)
		}
		ws = append(ws, depInterfaces(p.Types, reachedInterfaces(user, regs, only), skipped)...)
	}
	data := interfaceWrappersFile(p.Types, ws)
	if data == nil {
		return nil
	}
	return addFile(ov, pkgDir, outDir, ifaceWrappersFileName, data)
}
