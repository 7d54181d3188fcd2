package patcher

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"go/ast"
	"go/types"
	"sort"
	"strings"

	"github.com/livepatch/livepatch/internal/patcher/naming"
)

// Generic functions and types have no symbol of their own: reflect cannot
// hold a generic function, and yaegi cannot instantiate compiled code
// (a generic function's own prologue is genericshape.go's). What a user package's code uses of
// them are instantiations, which the compiler made: the package's symbol
// table holds each one, sortedKeys[string] as lpInst_sortedKeys_<hash> (a
// function value) and Set[int] as lpInst_Set_<hash> (a type, with field
// and method accessors like a plain type's when Set is the package's own),
// and the Go prompt's rewriter writes a reference to the instantiation as
// the symbol. Patched code thus runs the compiled instantiation, exactly;
// an instantiation the build does not use (a new edit with a new type
// argument) has no symbol, which the rewriter checks with the same
// function, PackageInstances, over the build's type information.

// InstancePrefix starts the symbol of an instantiation.
const InstancePrefix = "lpInst_"

// Instance is an instantiation of a generic function or type, named by the
// symbol that holds it.
type Instance struct {
	// Name is the symbol: lpInst_F_<hash> for a generic function or type
	// of the package itself, lpInst_pkg_F_<hash> for one of package pkg.
	Name string
	// Origin is the generic function (*types.Func) or type (*types.TypeName).
	Origin types.Object
	// TypeArgs are the type arguments.
	TypeArgs []types.Type
	// Named is the instantiated type, for a type; nil for a function.
	Named *types.Named
}

// InstanceName returns the symbol under which the table of package self
// holds the instantiation of origin, a generic package-level function or
// type, with targs, and whether the table can hold it: every type argument
// can be written in a file of self (none is or holds a type parameter or a
// type of a package that self may not import, such as another module's
// internal package, reached through inference).
// The hash covers the origin's import path, its name and the type
// arguments as types.TypeString writes them with full import paths, which
// the builder and the rewriter compute alike from their type-checks.
func InstanceName(self *types.Package, origin types.Object, targs []types.Type) (string, bool) {
	if origin == nil || origin.Pkg() == nil || len(targs) == 0 {
		return "", false
	}
	if p := origin.Pkg(); p != self && (!origin.Exported() || !naming.ImportableFrom(p, self.Path())) {
		// Reached through the type of an expression (a method's result),
		// an unexported generic of another package cannot be named here.
		return "", false
	}
	h := sha256.New()
	h.Write([]byte(origin.Pkg().Path() + "." + origin.Name() + "["))
	for i, t := range targs {
		if !naming.Nameable(t, self) || !naming.Importable(t, self) {
			return "", false
		}
		if i > 0 {
			h.Write([]byte(", "))
		}
		h.Write([]byte(types.TypeString(t, nil)))
	}
	name := InstancePrefix
	if origin.Pkg().Path() != self.Path() {
		name += origin.Pkg().Name() + "_"
	}
	return name + origin.Name() + "_" + hex.EncodeToString(h.Sum(nil)[:5]), true
}

// TypeArgs returns the types of a type argument list.
func TypeArgs(l *types.TypeList) []types.Type {
	out := make([]types.Type, l.Len())
	for i := range out {
		out[i] = l.At(i)
	}
	return out
}

// PackageInstances returns the instantiations that the symbol table of
// package pkg holds, sorted by name: of generic functions, those that its
// code refers to (info.Instances); of generic types, those that occur in
// the type of any of its expressions (info.Types), so that a value of one
// can be named, and its unexported fields and methods reached, wherever
// the code has it. Instantiations whose type arguments cannot be written
// in the package (a local type, an unexported type of another package, a
// type parameter: code inside generic functions) are left out, as are
// instantiated constraint interfaces.
func PackageInstances(pkg *types.Package, info *types.Info) []Instance {
	if pkg == nil || info == nil {
		return nil
	}
	byName := map[string]*Instance{}
	clashed := map[string]bool{}
	add := func(origin types.Object, targs []types.Type, named *types.Named) {
		name, ok := InstanceName(pkg, origin, targs)
		if !ok {
			return
		}
		if prev, dup := byName[name]; dup {
			if !sameTypes(prev.TypeArgs, targs) || prev.Origin != origin {
				clashed[name] = true // two instantiations, one hash prefix: neither
			}
			return
		}
		byName[name] = &Instance{Name: name, Origin: origin, TypeArgs: targs, Named: named}
	}
	seen := map[types.Type]bool{}
	var walk func(t types.Type, depth int)
	walk = func(t types.Type, depth int) {
		if t == nil || depth > 8 || seen[t] {
			return
		}
		seen[t] = true
		switch x := t.(type) {
		case *types.Named:
			if args := x.TypeArgs(); args.Len() > 0 {
				if it, ok := x.Underlying().(*types.Interface); !ok || it.IsMethodSet() {
					add(x.Origin().Obj(), TypeArgs(args), x)
				}
				for i := 0; i < args.Len(); i++ {
					walk(args.At(i), depth+1)
				}
			}
		case *types.Alias:
			walk(types.Unalias(x), depth)
		case *types.Pointer:
			walk(x.Elem(), depth+1)
		case *types.Slice:
			walk(x.Elem(), depth+1)
		case *types.Array:
			walk(x.Elem(), depth+1)
		case *types.Map:
			walk(x.Key(), depth+1)
			walk(x.Elem(), depth+1)
		case *types.Chan:
			walk(x.Elem(), depth+1)
		case *types.Signature:
			walk(x.Params(), depth+1)
			walk(x.Results(), depth+1)
		case *types.Tuple:
			for i := 0; i < x.Len(); i++ {
				walk(x.At(i).Type(), depth+1)
			}
		}
	}
	for id, inst := range info.Instances {
		switch o := info.Uses[id].(type) {
		case *types.Func:
			if o.Pkg() != nil && o.Type().(*types.Signature).Recv() == nil {
				add(o.Origin(), TypeArgs(inst.TypeArgs), nil)
			}
		case *types.TypeName:
			walk(inst.Type, 0)
		}
	}
	for _, tv := range info.Types {
		walk(tv.Type, 0)
	}
	out := make([]Instance, 0, len(byName))
	for name, inst := range byName {
		if !clashed[name] {
			out = append(out, *inst)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// sameTypes reports whether two type lists are identical.
func sameTypes(a, b []types.Type) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !types.Identical(a[i], b[i]) {
			return false
		}
	}
	return true
}

// instanceSymbols writes the table entries of the instantiations that
// package pkg's code uses (PackageInstances), and accessors for the
// unexported fields and methods of instantiated types of the package's
// own generic types.
func instanceSymbols(pkg *types.Package, info *types.Info, imports *naming.Imports, syms, decls *bytes.Buffer, skipped func(name, why string)) {
	for _, inst := range PackageInstances(pkg, info) {
		if pkg.Scope().Lookup(inst.Name) != nil {
			skipped(inst.Name, "name taken")
			continue
		}
		args := make([]string, len(inst.TypeArgs))
		for i, t := range inst.TypeArgs {
			args[i] = types.TypeString(t, imports.Qualifier)
		}
		ref := inst.Origin.Name()
		if p := inst.Origin.Pkg(); p != pkg {
			ref = imports.Qualifier(p) + "." + ref
		}
		ref += "[" + strings.Join(args, ", ") + "]"
		if inst.Named == nil {
			syms.WriteString(symEntry(inst.Name, ref, symValue))
			continue
		}
		syms.WriteString(symEntry(inst.Name, "(*"+ref+")(nil)", symValue))
		if inst.Origin.Pkg() == pkg {
			fieldAccessors(FieldAccessorPrefix, pkg, inst.Named, inst.Name, imports, syms, decls, skipped)
			methodAccessors(MethodAccessorPrefix, pkg, inst.Named, inst.Name, imports, syms, decls, skipped)
		}
	}
}

// InstanceOf returns the generic origin and the type arguments of the
// instantiation that identifier id (of a generic function or type, in a
// file checked with info) refers to, or nil.
func InstanceOf(info *types.Info, id *ast.Ident) (types.Object, []types.Type) {
	inst, ok := info.Instances[id]
	if !ok {
		return nil, nil
	}
	switch o := info.Uses[id].(type) {
	case *types.Func:
		if o.Type().(*types.Signature).Recv() == nil {
			return o.Origin(), TypeArgs(inst.TypeArgs)
		}
	case *types.TypeName:
		if named, ok := types.Unalias(inst.Type).(*types.Named); ok && named.TypeArgs().Len() > 0 {
			return named.Origin().Obj(), TypeArgs(named.TypeArgs())
		}
	}
	return nil, nil
}
