package naming

import "go/types"

// WalkTypes calls visit for t and, for each type for which visit returns
// true, for the types it is written with: a named type's type arguments,
// an alias's target, the element (and key) types of pointers, slices,
// arrays, channels and maps, the parameter and result types of a
// signature, the field types of a struct, the method signatures and
// embedded types of an interface. Each type is visited once, so recursive
// types end. The builder and the rewriter ask many questions of this
// shape (can t be written here, imported there, does it hold a type
// parameter); each answers it with a visit function.
func WalkTypes(t types.Type, visit func(types.Type) bool) {
	seen := map[types.Type]bool{}
	var walk func(t types.Type)
	walk = func(t types.Type) {
		if t == nil || seen[t] {
			return
		}
		seen[t] = true
		if !visit(t) {
			return
		}
		switch x := t.(type) {
		case *types.Named:
			for i := 0; i < x.TypeArgs().Len(); i++ {
				walk(x.TypeArgs().At(i))
			}
		case *types.Alias:
			walk(types.Unalias(x))
		case *types.Pointer:
			walk(x.Elem())
		case *types.Slice:
			walk(x.Elem())
		case *types.Array:
			walk(x.Elem())
		case *types.Chan:
			walk(x.Elem())
		case *types.Map:
			walk(x.Key())
			walk(x.Elem())
		case *types.Signature:
			walk(x.Params())
			walk(x.Results())
		case *types.Tuple:
			for i := 0; i < x.Len(); i++ {
				walk(x.At(i).Type())
			}
		case *types.Struct:
			for i := 0; i < x.NumFields(); i++ {
				walk(x.Field(i).Type())
			}
		case *types.Interface:
			for i := 0; i < x.NumMethods(); i++ {
				walk(x.Method(i).Type())
			}
			for i := 0; i < x.NumEmbeddeds(); i++ {
				walk(x.EmbeddedType(i))
			}
		}
	}
	walk(t)
}
