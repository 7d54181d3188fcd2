package rewrite

import (
	"go/types"
)

// A change may move the fields of a compiled struct type among themselves
// (change/classify: reordered): values keep the compiled layout, and
// every selection names its field, so only an unkeyed literal of the type
// would set the wrong fields, by place. The interpreted tier gives such a
// literal its keys (keyElements), the native tier sets its fields one by
// one (internal/native, literals.go).

// FieldsReordered reports whether t (or the type it points to), a named
// struct type of a change, declares fields that compiled, the package as
// built, declares too in another order.
func FieldsReordered(t types.Type, compiled *types.Package) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || compiled == nil || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != compiled.Path() {
		return false
	}
	st, ok := named.Underlying().(*types.Struct)
	tn, ok2 := compiled.Scope().Lookup(named.Obj().Name()).(*types.TypeName)
	if !ok || !ok2 {
		return false
	}
	old, ok := tn.Type().Underlying().(*types.Struct)
	if !ok {
		return false
	}
	place := map[string]int{}
	for i := range old.NumFields() {
		place[old.Field(i).Name()] = i
	}
	last := -1
	for i := range st.NumFields() {
		if j, ok := place[st.Field(i).Name()]; ok {
			if j < last {
				return true
			}
			last = j
		}
	}
	return false
}
