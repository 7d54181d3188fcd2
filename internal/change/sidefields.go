package change

import (
	"go/types"
	"strings"
	"sync"
)

// The fields that live changes add to the compiled struct types of a build
// (the agent's side table, package target/agent/side), so that the prompt
// reaches them too: its inputs are checked against the build's types,
// which do not have them, so a selection of one is left unchecked
// (typeCheckInput) and the rewriting writes it as an access to the side
// table (rewrite.Input.Side).

// sideFields are the added fields of one package's compiled struct types:
// by type name, then field name, the field's type.
type sideFields map[string]map[string]types.Type

// sideRecord is the Program's record of the side fields live, by package
// path.
type sideRecord struct {
	mu    sync.Mutex
	byPkg map[string]sideFields
}

// addedFields returns the fields that the change's package (fresh) adds
// to the struct types of the package as built (compiled).
func addedFields(fresh, compiled *types.Package) sideFields {
	out := sideFields{}
	for _, name := range fresh.Scope().Names() {
		tn, ok := fresh.Scope().Lookup(name).(*types.TypeName)
		old, ok2 := compiled.Scope().Lookup(name).(*types.TypeName)
		if !ok || !ok2 {
			continue
		}
		st, ok := tn.Type().Underlying().(*types.Struct)
		ost, ok2 := old.Type().Underlying().(*types.Struct)
		if !ok || !ok2 {
			continue
		}
		for i := 0; i < st.NumFields(); i++ {
			if f := st.Field(i); structFieldOf(ost, f.Name()) == nil {
				if out[name] == nil {
					out[name] = map[string]types.Type{}
				}
				out[name][f.Name()] = f.Type()
			}
		}
	}
	return out
}

// structFieldOf returns the field of st called name, or nil.
func structFieldOf(st *types.Struct, name string) *types.Var {
	for i := 0; i < st.NumFields(); i++ {
		if f := st.Field(i); f.Name() == name {
			return f
		}
	}
	return nil
}

// useSideFields records the side fields of package path once a plan of it
// goes live: they replace those of the plans before it.
func (p *Program) useSideFields(path string, fields sideFields) {
	p.side.mu.Lock()
	defer p.side.mu.Unlock()
	if p.side.byPkg == nil {
		p.side.byPkg = map[string]sideFields{}
	}
	p.side.byPkg[path] = fields
}

// sideField returns the type of the field name that a live change added to
// t, a compiled named struct type or a pointer to one.
func (p *Program) sideField(t types.Type, name string) (types.Type, bool) {
	if ptr, ok := types.Unalias(t).(*types.Pointer); ok {
		t = ptr.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return nil, false
	}
	p.side.mu.Lock()
	defer p.side.mu.Unlock()
	ft, ok := p.side.byPkg[named.Obj().Pkg().Path()][named.Obj().Name()][name]
	return ft, ok
}

// SideFieldNamed reports whether a type error says that a selection has
// no field of a name that a live change added to some type: the
// selection is left to the rewriting, which checks its receiver.
func (p *Program) SideFieldNamed(msg string) bool {
	_, name, ok := strings.Cut(msg, "has no field or method ")
	if !ok {
		return false
	}
	name, _, _ = strings.Cut(name, ",")
	name, _, _ = strings.Cut(name, ")")
	p.side.mu.Lock()
	defer p.side.mu.Unlock()
	for _, fields := range p.side.byPkg {
		for _, fs := range fields {
			if _, ok := fs[name]; ok {
				return true
			}
		}
	}
	return false
}
