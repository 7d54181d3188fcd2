package agent

import (
	"fmt"
	"reflect"
	"strconv"
	"unsafe"

	"github.com/livepatch/livepatch/target/agent/wire"
	yaegi "github.com/traefik/yaegi/interp"
)

// FramePackage is the pseudo-package through which an evaluation reaches the
// locals of the paused frame: symbol x is a pointer to local x, so the host
// rewrites a use of x as (*lp_frame.x).
const FramePackage = "lp_frame"

// MaxFrameArgs is the number of addresses ServeFrame takes.
const MaxFrameArgs = 16

// ServeFrame is Serve for an evaluation in the scope of a paused frame: a0
// to a15 are the addresses of the frame's locals named by the request's
// Frame (unused ones are 0). The host takes the addresses in the same
// injected call expression, e.g. ServeFrame(n, uintptr(&x), uintptr(&c), 0,
// ...), so they stay valid while the call runs: the paused goroutine is
// parked and its stack does not move. Like Serve it never waits for the
// agent's lock.
func ServeFrame(n int, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15 uintptr) int {
	if n < 0 || n > len(Inbox) {
		return -1
	}
	addrs := []uintptr{a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15}
	out, after := handleBytes(Inbox[:n], machine.mu.TryLock, addrs)
	if len(out) > len(Outbox) {
		out = []byte(`{"ok":false,"error":"response too large for the agent outbox"}`)
	}
	n = copy(Outbox[:], out)
	after() // the debugger reads the response once the program runs again
	return n
}

// bindFrame makes each frame variable visible as lp_frame.Name, a pointer to
// the variable at its address, and returns the frame's binding. The caller
// holds machine.mu.
//
// Each symbol is a variable of its own holding the pointer (an addressable
// *T, which yaegi reads at every use), not the pointer as a constant, so
// that the binding can be cut (frameBinding.cut) when the input that uses it
// outlives the paused frame.
func bindFrame(i *yaegi.Interpreter, pkg string, vars []wire.FrameVar, addrs []uintptr) (frameBinding, error) {
	if len(vars) == 0 {
		return nil, nil
	}
	syms := map[string]reflect.Value{}
	var slots frameBinding
	for _, v := range vars {
		if v.Arg < 0 || v.Arg >= len(addrs) || addrs[v.Arg] == 0 {
			return nil, fmt.Errorf("frame variable %s: no address", v.Name)
		}
		t, err := pointerType(i, pkg, v.Type)
		if err != nil {
			return nil, fmt.Errorf("frame variable %s: %w", v.Name, err)
		}
		addr := addrs[v.Arg]
		// The address is of a live variable of the parked goroutine (or
		// of the heap object it escaped to), held by that goroutine.
		p := *(*unsafe.Pointer)(unsafe.Pointer(&addr))
		slot := reflect.New(t).Elem()
		slot.Set(reflect.NewAt(t.Elem(), p))
		syms[v.Name] = slot
		slots = append(slots, slot)
	}
	if err := i.Use(yaegi.Exports{FramePackage + "/" + FramePackage: syms}); err != nil {
		return nil, fmt.Errorf("bind frame: %w", err)
	}
	if !machine.frameImported {
		if _, err := i.Eval("import " + strconv.Quote(FramePackage)); err != nil {
			return nil, fmt.Errorf("bind frame: %w", err)
		}
		machine.frameImported = true
	}
	return slots, nil
}

// frameBinding is what bindFrame bound for one evaluation: the variables
// that hold the addresses of the frame's locals.
type frameBinding []reflect.Value

// cut sets every pointer of the binding to nil, so that code of the
// evaluation that runs on after its frame may be gone (an input abandoned
// while blocked in compiled code, which goes on when the program
// continues) fails with a nil dereference, which the evaluation recovers,
// instead of reading or writing a stack that another function now owns.
func (b frameBinding) cut() {
	for _, slot := range b {
		slot.Set(reflect.Zero(slot.Type()))
	}
}

// pointerType returns the reflect type of *T for a type written in the
// scope of an evaluation in package pkg. Results are cached per package.
// The caller holds machine.mu.
func pointerType(i *yaegi.Interpreter, pkg, typ string) (reflect.Type, error) {
	key := pkg + "\x00" + typ
	if t, ok := machine.types[key]; ok {
		return t, nil
	}
	v, err := i.Eval("(*" + typ + ")(nil)")
	if err != nil {
		return nil, fmt.Errorf("type %s: %w", typ, err)
	}
	if !v.IsValid() || v.Kind() != reflect.Pointer {
		return nil, fmt.Errorf("type %s: not a type the interpreter knows", typ)
	}
	machine.types[key] = v.Type()
	return v.Type(), nil
}

// importIntoScope imports each spec into the evaluation scope once. A name
// already bound to another path is an error. The caller holds machine.mu.
func importIntoScope(i *yaegi.Interpreter, specs []string) error {
	for _, spec := range specs {
		name, err := importName(spec)
		if err != nil {
			return err
		}
		path := importPath(spec)
		if old, ok := machine.importPaths[name]; ok {
			if old != path {
				return fmt.Errorf("import %s: %s already names %q in this session", spec, name, old)
			}
			continue
		}
		if machine.replImports[name] {
			continue
		}
		if _, err := i.Eval("import " + spec); err != nil {
			return fmt.Errorf("import %s: %w", spec, err)
		}
		machine.importPaths[name] = path
		machine.replImports[name] = true
	}
	return nil
}
