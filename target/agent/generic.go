package agent

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"unsafe"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/livepatch/livepatch/target/agent/hostlink"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// Generic is the table entry of a patched generic function or method. The
// builder's prologue in the function's body, which every instantiation
// runs (one compiled body serves many under GC shape stenciling), calls
// Instance with the instantiation's types: the function's func type, its
// type parameters, then the instantiated generic types of its declaration
// that hold type parameters; with the instantiations of generic functions
// it uses with type parameters, as func values; and with the method
// expressions of the unexported methods of those types
// (patcher.GenericShape). Instance returns
// the replacement as a value of the func type, or nil, when the
// instantiation cannot be compiled (the function is then reverted, the
// failure reported as an interpreter fault, and the compiled body runs).
type Generic interface {
	Instance(types []reflect.Type, funcs, methods []any) any
}

// RegisterGeneric records patchable generic function number index under
// key (see RegisterFunc): its patches are compiled once per
// instantiation, when the instantiation first runs.
func RegisterGeneric(index int, key string) {
	RegisterFunc(index, key, nil)
	registry.mu.Lock()
	registry.byIndex[index].generic = true
	registry.mu.Unlock()
}

// genericPatch is the Generic of one patch: the patch prepared, its
// helpers and imports, and the instantiations compiled so far.
type genericPatch struct {
	pp      *preparedPatch
	helpers []string // prepared
	specs   []string
	insts   atomic.Pointer[[]genericInst] // copied on write, under machine.mu
}

// genericInst is one compiled instantiation.
type genericInst struct {
	types []reflect.Type
	fn    any
}

// newGenericPatch checks that pp is a patch of generic function e and
// returns its Generic. The caller holds machine.mu.
func newGenericPatch(pp *preparedPatch, helpers, specs []string) (*genericPatch, error) {
	if !pp.e.generic {
		return nil, wire.Errorf(wire.ErrMismatch, "the patch has type parameters; %s is not generic", displayKey(pp.e.key))
	}
	return &genericPatch{pp: pp, helpers: helpers, specs: specs}, nil
}

// Instance returns the replacement for the instantiation of types.
func (g *genericPatch) Instance(types []reflect.Type, funcs, methods []any) any {
	if fn, ok := g.lookup(types); ok {
		return fn
	}
	if opHolder.Load() != currentGoroutine() {
		machine.mu.Lock()
		defer machine.mu.Unlock()
	} // else the agent's operation that runs this call holds the lock
	if fn, ok := g.lookup(types); ok {
		return fn
	}
	fn, err := g.instantiate(types, funcs, methods)
	if err != nil {
		g.fail(types, err)
	}
	var list []genericInst
	if cur := g.insts.Load(); cur != nil {
		list = append(list, *cur...)
	}
	list = append(list, genericInst{types: types, fn: fn})
	g.insts.Store(&list)
	return fn
}

// lookup returns the compiled instantiation of types, if any.
func (g *genericPatch) lookup(types []reflect.Type) (any, bool) {
	cur := g.insts.Load()
	if cur == nil {
		return nil, false
	}
next:
	for _, in := range *cur {
		if len(in.types) != len(types) {
			continue
		}
		for i := range types {
			if in.types[i] != types[i] {
				continue next
			}
		}
		return in.fn, true
	}
	return nil, false
}

// instantiate compiles the patch for types into a scratch package of its
// own: a package of the types (instanceTypes) is dot-imported, whose
// symbols the patch names its type parameters and instantiated types by,
// and the helpers are compiled again. The caller holds machine.mu.
func (g *genericPatch) instantiate(types []reflect.Type, funcs, methods []any) (fn any, err error) {
	defer recoverCompile(&err)
	tps := g.pp.p.TypeParams
	if len(types) < 1+len(tps) || types[0] == nil || types[0].Kind() != reflect.Func {
		return nil, fmt.Errorf("the prologue gave %d types for %d type parameters", len(types), len(tps))
	}
	machine.nextPkg++
	tpkg := fmt.Sprintf("lp_targs_%d", machine.nextPkg)
	syms := instanceTypes(types[1:1+len(tps)], types[1+len(tps):])
	for i, f := range funcs {
		syms["lpTF_"+strconv.Itoa(i)] = reflect.ValueOf(f)
	}
	for i, m := range methods {
		syms["lpTM_"+strconv.Itoa(i)] = methodAccessor(reflect.ValueOf(m))
	}
	if err := machine.interp.Use(yaegi.Exports{tpkg + "/" + tpkg: syms}); err != nil {
		return nil, fmt.Errorf("register the type arguments: %w", err)
	}
	var src strings.Builder
	name := scratchPackage()
	src.WriteString(packageHeader(name, append(append([]string(nil), g.specs...), `. "`+tpkg+`"`)))
	src.WriteString(strings.Join(g.helpers, "\n"))
	if _, err := machine.interp.Eval(src.String()); err != nil {
		return nil, fmt.Errorf("helpers: %w", err)
	}
	pp := *g.pp
	pp.wrap = Wrapper(types[0])
	return pp.compile(name, "LpFn")
}

// instanceTypes returns the symbols of one instantiation's types:
// lpTP_<i> for the type parameters, lpTI_<i> for the instantiated types,
// and, for each of these that is a struct, lpField_lpTI_<i>_<field>, the
// accessor of each field (a pointer to it, as the builder's accessors
// give), made from the field's offset: reflect cannot set an unexported
// field, and the program has no accessor of a generic type's
// instantiation that only runs now.
func instanceTypes(tparams, insts []reflect.Type) map[string]reflect.Value {
	syms := map[string]reflect.Value{}
	for i, t := range tparams {
		syms["lpTP_"+strconv.Itoa(i)] = reflect.Zero(reflect.PointerTo(t))
	}
	for i, t := range insts {
		name := "lpTI_" + strconv.Itoa(i)
		syms[name] = reflect.Zero(reflect.PointerTo(t))
		if t.Kind() != reflect.Struct {
			continue
		}
		for k := 0; k < t.NumField(); k++ {
			f := t.Field(k)
			ft := reflect.FuncOf([]reflect.Type{reflect.PointerTo(t)}, []reflect.Type{reflect.PointerTo(f.Type)}, false)
			syms["lpField_"+name+"_"+f.Name] = reflect.MakeFunc(ft, func(in []reflect.Value) []reflect.Value {
				if in[0].IsNil() {
					panic("runtime error: invalid memory address or nil pointer dereference")
				}
				return []reflect.Value{reflect.NewAt(f.Type, unsafe.Add(in[0].UnsafePointer(), f.Offset))}
			})
		}
	}
	return syms
}

// methodAccessor returns, for a method expression me, func(recv, args)
// results, a function of the receiver that returns the method value, as
// the builder's accessors of unexported methods do.
func methodAccessor(me reflect.Value) reflect.Value {
	mt := me.Type()
	in := make([]reflect.Type, mt.NumIn()-1)
	for i := range in {
		in[i] = mt.In(i + 1)
	}
	out := make([]reflect.Type, mt.NumOut())
	for i := range out {
		out[i] = mt.Out(i)
	}
	vt := reflect.FuncOf(in, out, mt.IsVariadic())
	at := reflect.FuncOf([]reflect.Type{mt.In(0)}, []reflect.Type{vt}, false)
	return reflect.MakeFunc(at, func(recv []reflect.Value) []reflect.Value {
		return []reflect.Value{reflect.MakeFunc(vt, func(args []reflect.Value) []reflect.Value {
			all := append([]reflect.Value{recv[0]}, args...)
			if mt.IsVariadic() {
				return me.CallSlice(all)
			}
			return me.Call(all)
		})}
	})
}

// fail reverts the generic function whose instantiation of types did not
// compile and reports it as an interpreter fault: the call that asked
// runs the compiled body. The caller holds machine.mu.
func (g *genericPatch) fail(types []reflect.Type, err error) {
	e := g.pp.e
	var args []string
	for _, t := range types[1:min(len(types), 1+len(g.pp.p.TypeParams))] {
		args = append(args, t.String())
	}
	msg := fmt.Sprintf("instantiation [%s] does not compile: %v", strings.Join(args, ", "), err)
	pos := ""
	if p, ok := placeOf.Load(e.index); ok {
		pos = p.(string)
	}
	_ = revertLocked([]wire.Ref{{Index: e.index}})
	placeOf.Delete(e.index)
	logger.Error(hostlink.FaultMsg, hostlink.FaultFunc, displayKey(e.key), hostlink.FaultAt, pos, hostlink.FaultPanic, msg)
}

// opHolder is the goroutine of the agent's operation that holds
// machine.mu while it runs the program's code (an evaluation, a patch
// set's variable initializers), or 0: a generic replacement that this
// code calls compiles its instantiation under that operation's lock.
var opHolder atomic.Int64

// holdMachine records the calling goroutine, which holds machine.mu, as
// opHolder until the returned function is called. An operation that runs
// the program's code on another goroutine hands the hold to it
// (evalContext).
func holdMachine() func() {
	opHolder.Store(currentGoroutine())
	return func() { opHolder.Store(0) }
}
