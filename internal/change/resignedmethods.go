package change

import (
	"go/types"
	"sort"
)

// A method whose signature a change sets (classify/resigned.go: its
// compiled callers all patched) goes live as a method the change adds:
// patched code calls its maker (lpNew_T_m), and the compiled method stays,
// with its old body, for what still reaches it. What reaches it besides
// static calls is an interface: the compiled method table of T holds the
// compiled method, so a named interface of the program with a method of
// that name that T implements refuses the change. An interface written
// inside a function, or reflection, is not seen (as for methods a change
// adds: newlySatisfied).

// resignedMethod reports whether fn, a method of named in the change, has
// another signature than the compiled method of that name.
func (s *savedChange) resignedMethod(named *types.Named, fn *types.Func) bool {
	tn, ok := s.compiled.Scope().Lookup(named.Obj().Name()).(*types.TypeName)
	if !ok {
		return false
	}
	m, _, _ := types.LookupFieldOrMethod(tn.Type(), true, s.compiled, fn.Name())
	old, ok := m.(*types.Func)
	return ok && !identicalAcross(old.Type(), fn.Type())
}

// reachingInterface returns a named interface of the program with a
// method called name that the compiled type of named (or a pointer to it)
// implements, or "".
func reachingInterface(prog *Program, compiled *types.Package, named *types.Named, name string) string {
	tn, ok := compiled.Scope().Lookup(named.Obj().Name()).(*types.TypeName)
	if !ok {
		return ""
	}
	ptr := types.NewPointer(tn.Type())
	if errIface := types.Universe.Lookup("error").Type().Underlying().(*types.Interface); name == "Error" && types.Implements(ptr, errIface) {
		return "error"
	}
	paths := make([]string, 0, len(prog.pkgs)+1)
	pkgs := map[string]*types.Package{compiled.Path(): compiled}
	for path, p := range prog.pkgs {
		if path != compiled.Path() {
			pkgs[path] = p
		}
	}
	for path := range pkgs {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		scope := pkgs[path].Scope()
		for _, n := range scope.Names() {
			it, ok := scope.Lookup(n).Type().Underlying().(*types.Interface)
			if _, isType := scope.Lookup(n).(*types.TypeName); !ok || !isType || !it.IsMethodSet() {
				continue
			}
			for i := range it.NumMethods() {
				if it.Method(i).Name() == name && types.Implements(ptr, it) {
					return path + "." + n
				}
			}
		}
	}
	return ""
}
