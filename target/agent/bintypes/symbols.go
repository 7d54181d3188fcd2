package bintypes

import (
	"fmt"
	"reflect"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
)

// Symbols are the lp_bin symbols of one interpreter: those given to it and
// those allocated since. Its methods are not safe for concurrent use.
type Symbols struct {
	names   map[key]string           // by what they name
	pending map[string]reflect.Value // not given to the interpreter yet
}

// NewSymbols returns the symbols of an interpreter that has none yet.
func NewSymbols() *Symbols {
	return &Symbols{names: map[key]string{}, pending: map[string]reflect.Value{}}
}

// Name returns the lp_bin symbol name of the pointer type typ when method
// is empty, else of the method expression of typ's method, allocating it
// on first use.
func (s *Symbols) Name(typ reflect.Type, method string) string {
	k := key{typ: typ, method: method}
	if name, ok := s.names[k]; ok {
		return name
	}
	n := len(s.names) + 1
	var name string
	var v reflect.Value
	if k.method == "" {
		name = fmt.Sprintf("P%d_%s", n, identSafe(k.typ.Elem().Name()))
		// A nil **T: yaegi registers *T as a type.
		v = reflect.Zero(reflect.PointerTo(k.typ))
	} else {
		name = fmt.Sprintf("M%d_%s", n, k.method)
		m, _ := k.typ.MethodByName(k.method)
		v = m.Func
	}
	s.names[k] = name
	s.pending[name] = v
	return name
}

// Publish gives the interpreter the symbols allocated since the last call.
func (s *Symbols) Publish(i *yaegi.Interpreter) error {
	if len(s.pending) == 0 {
		return nil
	}
	if err := i.Use(yaegi.Exports{Package + "/" + Package: s.pending}); err != nil {
		return fmt.Errorf("register compiled pointer types: %w", err)
	}
	s.pending = map[string]reflect.Value{}
	return nil
}

// identSafe keeps the letters, digits and underscores of s.
func identSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
