package agent

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/livepatch/livepatch/target/agent/side"
	"github.com/livepatch/livepatch/target/agent/wire"
	yaegi "github.com/traefik/yaegi/interp"
)

// VarAddrPrefix prefixes the symbol that holds a package variable's
// address, as the builder names it (patcher.VarAddrPrefix): the host's
// rewriter reaches every package variable, new ones included, as
// (*lpAddr_name).
const VarAddrPrefix = "lpAddr_"

// homeVar is a package variable that a patch set declared (wire.Var), kept in
// the home of its package (machine.vars): its type as the host wrote it,
// and its address.
type homeVar struct {
	typ string
	ptr reflect.Value
}

// newVars are the variables of a patch set's Vars that the home of their
// package does not hold yet: made with their zero value and visible to the
// interpreter, their initializers not run yet.
type newVars struct {
	pkgPath string
	specs   []wire.Var
	ptrs    [][]reflect.Value // by spec, by Names; invalid for blank and kept ones
}

// makeVars makes the variables of vars, declared by patches of package
// pkgPath, that its home does not hold: zero, registered as the package's
// symbols (the variable and its address), so that the patches and helpers
// compiled next reach them. A variable the home holds with the same type
// is kept as it is; with another type it is an error (the host refuses
// that change first). specs are the patches' import specs, for the types.
// The caller holds machine.mu.
func makeVars(pkgPath string, vars []wire.Var, specs []string) (*newVars, error) {
	nv := &newVars{pkgPath: pkgPath}
	type slot struct{ spec, name int }
	var slots []slot
	var types []string
	for _, v := range vars {
		if len(v.Types) != len(v.Names) {
			return nil, wire.Errorf(wire.ErrRequest, "variables %s: %d types for %d names", strings.Join(v.Names, ", "), len(v.Types), len(v.Names))
		}
		fresh := false
		for k, n := range v.Names {
			h, ok := machine.vars[pkgPath+"."+n]
			switch {
			case n == "_":
			case ok && h.typ != v.Types[k]:
				return nil, wire.Errorf(wire.ErrMismatch, "variable %s has type %s in the program, not %s", n, h.typ, v.Types[k])
			case !ok:
				fresh = true
				slots = append(slots, slot{len(nv.specs), k})
				types = append(types, fmt.Sprintf("lpV%d %s", len(types), v.Types[k]))
			}
		}
		if fresh {
			nv.specs, nv.ptrs = append(nv.specs, v), append(nv.ptrs, make([]reflect.Value, len(v.Names)))
		}
	}
	if len(slots) == 0 {
		return nv, nil
	}
	name := scratchPackage()
	zero, err := evalFunc(packageHeader(name, specs)+"func LpVarZero() ("+strings.Join(types, ", ")+") { return }", name, "LpVarZero")
	if err != nil {
		return nil, fmt.Errorf("types of new variables: %w", err)
	}
	syms := map[string]reflect.Value{}
	for i, sl := range slots {
		ptr := reflect.New(zero.Type().Out(i))
		nv.ptrs[sl.spec][sl.name] = ptr
		n := nv.specs[sl.spec].Names[sl.name]
		syms[n], syms[VarAddrPrefix+n] = ptr.Elem(), ptr
	}
	if err := registerLocked(pkgPath, syms); err != nil {
		return nil, fmt.Errorf("new variables: %w", err)
	}
	return nv, nil
}

// init runs the initializers of the new variables, in order, compiled in
// scratch package pkg, which holds the change's helpers, and keeps the
// variables in their package's home once every one ran. An initializer
// that does not compile or panics is an error. The caller holds
// machine.mu.
func (nv *newVars) init(pkg string) error {
	for s, v := range nv.specs {
		var names, types []string
		for k, n := range v.Names {
			if n != "_" {
				names, types = append(names, n), append(types, v.Types[k])
			}
		}
		fn := fmt.Sprintf("LpVarInit%d", s)
		f, err := evalFunc(fmt.Sprintf("package %s; func %s() (%s) { var %s; return %s }", pkg, fn, strings.Join(types, ", "), v.Spec, strings.Join(names, ", ")), pkg, fn)
		if err != nil {
			return fmt.Errorf("initializer of %s: %w", strings.Join(names, ", "), err)
		}
		vals, err := callInit(f)
		if err != nil {
			return fmt.Errorf("initializer of %s: %w", strings.Join(names, ", "), err)
		}
		at := 0
		for k, n := range v.Names {
			if n == "_" {
				continue
			}
			if ptr := nv.ptrs[s][k]; ptr.IsValid() {
				ptr.Elem().Set(vals[at])
			}
			at++
		}
	}
	for s, v := range nv.specs {
		for k, n := range v.Names {
			if ptr := nv.ptrs[s][k]; ptr.IsValid() {
				machine.vars[nv.pkgPath+"."+n] = homeVar{typ: v.Types[k], ptr: ptr}
				if k < len(v.Keys) && v.Keys[k] != "" {
					side.Share(v.Keys[k], ptr.Interface()) // a plugin that declares it takes this storage
				}
			}
		}
	}
	return nil
}

// callInit calls an initializer; a panic in it is an error that carries
// the panic's value.
func callInit(f reflect.Value) (vals []reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			vals, err = nil, wire.Errorf(wire.ErrPanic, "panic: %v", unwrapPanic(r))
		}
	}()
	return f.Call(nil), nil
}

// evalFunc compiles src, which declares function fn of scratch package
// pkg, and returns the function. The caller holds machine.mu.
func evalFunc(src, pkg, fn string) (v reflect.Value, err error) {
	defer recoverCompile(&err)
	i := machine.interp
	if _, err := i.Eval(src); err != nil {
		return reflect.Value{}, interpreterError(wire.ErrCompile, err.Error())
	}
	if v, err = i.Eval(pkg + "." + fn); err != nil {
		return reflect.Value{}, err
	}
	if v.Kind() != reflect.Func {
		return reflect.Value{}, fmt.Errorf("%s is not a function", fn)
	}
	return v, nil
}

// registerLocked adds symbols to the registered package pkgPath and gives
// them to the interpreter. Evaluations import the package into their
// scope again, to see them. The caller holds machine.mu.
func registerLocked(pkgPath string, syms map[string]reflect.Value) error {
	name := registeredName(pkgPath)
	if name == "" {
		return fmt.Errorf("package %s has no symbols in this program", pkgPath)
	}
	key := pkgPath + "/" + name
	registry.mu.Lock()
	m := registry.packages[key]
	for s, v := range syms {
		m[s] = v
	}
	registry.mu.Unlock()
	delete(machine.dotted, pkgPath)
	return machine.interp.Use(yaegi.Exports{key: syms})
}

// initVars runs the initializers of nv in scratch package pkg when every
// patch of its group compiled (errs): a group that fails leaves its new
// variables zero, out of their home, for a later set to make again.
func initVars(nv *newVars, pkg string, errs []error) error {
	for _, err := range errs {
		if err != nil {
			return nil
		}
	}
	return nv.init(pkg)
}

// varsKey identifies a patch's Vars among the patches of a set: patches
// with the same helpers and variables compile together.
func varsKey(vars []wire.Var) string {
	var b strings.Builder
	for _, v := range vars {
		b.WriteString(v.Spec + "\x00")
	}
	return b.String()
}
