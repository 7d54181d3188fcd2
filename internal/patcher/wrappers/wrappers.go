package wrappers

import (
	"bytes"
	"fmt"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"github.com/livepatch/livepatch/internal/patcher/naming"
	"github.com/livepatch/livepatch/target"
)

// FileName is the file, added through the overlay to a user package, that
// declares and registers its interface wrappers.
const FileName = "zz_livepatch_ifaces.go"

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
		if !naming.Nameable(sig, self) || !naming.Importable(sig, self) {
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
		if _, isIface := named.Underlying().(*types.Interface); !isIface || naming.GenericType(tn) || naming.ConstraintType(tn) {
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

// File returns the wrappers file of package self, starting with header,
// or nil when it has no wrappers: the wrappers of its own interfaces and,
// for a root package (deps set), those of the interfaces of regs (the
// standard-library and dependency packages whose tables it registers) that
// the tables reach from user's packages (only is what the tables of
// dependencies hold). The interfaces left without a wrapper are reported
// through skipped.
func File(header string, self *types.Package, deps bool, user, regs []*types.Package, only map[*types.Package]map[string]bool, skipped func(name, why string)) []byte {
	ws := ownInterfaces(self, skipped)
	if deps {
		ws = append(ws, depInterfaces(self, reachedInterfaces(user, regs, only), skipped)...)
	}
	return file(header, self, ws)
}

// file returns the wrappers file of package self declaring ws, or nil
// when ws is empty.
func file(header string, self *types.Package, ws []wrapped) []byte {
	if len(ws) == 0 {
		return nil
	}
	imports := naming.NewImports(self)
	imports.Add(target.AgentImportPath, "lp_agent")
	var table, decls bytes.Buffer
	for _, w := range ws {
		iface := types.TypeString(w.named, imports.Qualifier)
		fmt.Fprintf(&table, "\t{(*%s)(nil), (*%s)(nil)},\n", iface, w.name)
		writeWrapper(&decls, w, iface, imports.Qualifier)
	}
	var b bytes.Buffer
	b.WriteString(header)
	fmt.Fprintf(&b, "package %s\n\n", self.Name())
	imports.Write(&b)
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
