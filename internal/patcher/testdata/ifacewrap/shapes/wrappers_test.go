//go:build lpcheck

// This test compiles only in a patchable build with the tag lpcheck
// (patcher's TestInterfaceWrappers builds it so): it checks the wrappers
// that the builder generated into this package, own and dependencies'.
package shapes

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// TestWrappersForward calls each exported method of every generated
// wrapper through its interface and checks that the method's field got
// the arguments and that the call returned the field's results.
func TestWrappersForward(t *testing.T) {
	if len(lp_ifaces) == 0 {
		t.Fatal("no wrappers generated")
	}
	for _, pair := range lp_ifaces {
		it, wt := reflect.TypeOf(pair[0]).Elem(), reflect.TypeOf(pair[1]).Elem()
		var calls []string
		w := reflect.New(wt).Elem()
		for i := 1; i < wt.NumField(); i++ {
			f := wt.Field(i)
			w.Field(i).Set(reflect.MakeFunc(f.Type, func(args []reflect.Value) []reflect.Value {
				calls = append(calls, callText(f.Name[1:], f.Type, args))
				return marks(f.Type)
			}))
		}
		iv := reflect.New(it).Elem()
		iv.Set(w)
		for i := 0; i < it.NumMethod(); i++ {
			m := it.Method(i)
			if !m.IsExported() {
				continue
			}
			calls = nil
			args := make([]reflect.Value, m.Type.NumIn())
			for j := range args {
				args[j] = reflect.New(m.Type.In(j)).Elem()
			}
			var got []reflect.Value
			if m.Type.IsVariadic() {
				args[len(args)-1] = reflect.MakeSlice(m.Type.In(len(args)-1), 2, 2)
				got = iv.MethodByName(m.Name).CallSlice(args)
			} else {
				got = iv.MethodByName(m.Name).Call(args)
			}
			if want := []string{callText(m.Name, m.Type, args)}; !reflect.DeepEqual(calls, want) {
				t.Errorf("%v.%s: fields called %q, want %q", it, m.Name, calls, want)
			}
			if want := marks(m.Type); !reflect.DeepEqual(values(got), values(want)) {
				t.Errorf("%v.%s: returned %v, want %v", it, m.Name, values(got), values(want))
			}
		}
	}
}

// TestUnexportedMethodsForward calls the unexported method of the
// package's own unexported interface, which reflect cannot call.
func TestUnexportedMethodsForward(t *testing.T) {
	var v visitor = lp_I_visitor{Wvisit: func(n *node, path ...string) (int, bool, error) {
		return len(path), n.name == "a", errors.New("visited")
	}}
	if n, ok, err := v.visit(&node{"a"}, "p", "q"); n != 2 || !ok || err == nil || err.Error() != "visited" {
		t.Errorf("visit: got %d, %t, %v; want 2, true, visited", n, ok, err)
	}
	var walked *node
	var w Walker = lp_I_Walker{WWalk: func(n *node) { walked = n }}
	target := &node{"b"}
	if w.Walk(target); walked != target {
		t.Errorf("Walk: the field got %v, want %v", walked, target)
	}
}

// callText describes a call of method name of type ft with args: each
// argument's type, and a variadic slice's length.
func callText(name string, ft reflect.Type, args []reflect.Value) string {
	s := name + "("
	for i, a := range args {
		s += a.Type().String()
		if ft.IsVariadic() && i == len(args)-1 {
			s += fmt.Sprintf("[%d]", a.Len())
		}
		s += ","
	}
	return s + ")"
}

// marks returns results for a func of type ft that differ from zero
// values where the type allows: a call that lost them would show.
func marks(ft reflect.Type) []reflect.Value {
	out := make([]reflect.Value, ft.NumOut())
	for i := range out {
		t := ft.Out(i)
		v := reflect.New(t).Elem()
		switch {
		case t == reflect.TypeOf((*error)(nil)).Elem():
			v.Set(reflect.ValueOf(errors.New("mark")))
		case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
			v.SetInt(int64(7 + i))
		case t.Kind() == reflect.Float64:
			v.SetFloat(1.5)
		case t.Kind() == reflect.String:
			v.SetString("mark")
		case t.Kind() == reflect.Bool:
			v.SetBool(true)
		}
		out[i] = v
	}
	return out
}

// values returns the interfaces of vs, for comparison.
func values(vs []reflect.Value) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v.Interface()
	}
	return out
}
