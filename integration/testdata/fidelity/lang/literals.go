package lang

import "fmt"

// Composite literals of compiled struct types with unexported fields in
// every form yaegi builds through reflect, which cannot set those fields:
// element types elided in slice, array and map literals (keys and values),
// &T{} and []*T{{...}}, nested literals, literals returned and passed.

type field struct {
	typ  string
	size int
}

type entry struct {
	name   string
	fields []field
	first  *field
}

// describe is a compiled function literals are passed to.
func describe(f field) string { return fmt.Sprintf("%s/%d", f.typ, f.size) }

// ElidedSlice builds a slice of fields with elided element types.
func ElidedSlice(t string) []field {
	fs := []field{{typ: t}, {typ: t + "2", size: 2}}
	return fs
}

// ElidedArray builds an array of fields with elided element types.
func ElidedArray() [2]field {
	return [2]field{{"a", 1}, {size: 2}} // unkeyed and keyed
}

// ElidedMap builds maps of fields elided as values and as keys.
func ElidedMap() (map[string]field, map[field]int) {
	byName := map[string]field{"x": {typ: "x", size: 1}}
	count := map[field]int{{typ: "k", size: 3}: 3}
	return byName, count
}

// PointerLiterals builds &T{} and a slice of pointers with elided &T.
func PointerLiterals() (*field, []*field) {
	p := &field{typ: "p"}
	ps := []*field{{typ: "q", size: 1}, {size: 2}}
	return p, ps
}

// NestedLiterals builds literals inside literals, elided and not.
func NestedLiterals(n string) entry {
	return entry{
		name:   n,
		fields: []field{{typ: n}, field{typ: n, size: 9}},
		first:  &field{typ: "first"},
	}
}

// NestedSlices builds a slice of records with elided literals at each
// level.
func NestedSlices() []entry {
	return []entry{{name: "r", fields: []field{{typ: "inner", size: 4}}, first: &field{size: 5}}}
}

// ArgumentLiteral passes literals to a compiled function and returns one.
func ArgumentLiteral(t string) (string, field) {
	return describe(field{typ: t, size: len(t)}), field{typ: "ret"}
}
