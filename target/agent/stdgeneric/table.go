package stdgeneric

// stdGenericShared holds what the implementations share: the constraints
// of cmp.Ordered and of math/rand/v2's integer types, NaN tests and the
// merge sort.
const stdGenericShared = `
// The constraints hold any type: the host checked the calls against the
// real ones, and yaegi v0.16.1 does not see a compiled named type's
// underlying type in a type set (~string refuses a compiled "type id
// string", which a generic function's patch instantiated at it passes).
type lpOrdered interface{}

type lpInteger interface{}

func lpIsNaN[T lpOrdered](x T) bool { return x != x }

// lpCompare is cmp.Compare: a NaN is less than any other value and equal
// to a NaN.
func lpCompare[T lpOrdered](a, b T) int {
	an, bn := lpIsNaN(a), lpIsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return -1
	case bn:
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// lpMergeSort sorts x stably by cmp, bottom-up, through one buffer.
func lpMergeSort[S ~[]E, E any](x S, cmp func(a, b E) int) {
	n := len(x)
	if n < 2 {
		return
	}
	buf := make([]E, n)
	for width := 1; width < n; width *= 2 {
		for lo := 0; lo < n; lo += 2 * width {
			mid, hi := lo+width, lo+2*width
			if mid > n {
				mid = n
			}
			if hi > n {
				hi = n
			}
			a, b, k := lo, mid, lo
			for a < mid && b < hi {
				if cmp(x[b], x[a]) < 0 {
					buf[k] = x[b]
					b++
				} else {
					buf[k] = x[a]
					a++
				}
				k++
			}
			for a < mid {
				buf[k] = x[a]
				a++
				k++
			}
			for b < hi {
				buf[k] = x[b]
				b++
				k++
			}
		}
		copy(x, buf)
	}
}

// lpZero sets the elements of s to their zero value.
func lpZero[E any](s []E) {
	var z E
	for k := range s {
		s[k] = z
	}
}
`

// stdGenerics is the table of interpreted implementations.
var stdGenerics = []stdGeneric{
	// cmp
	{path: "cmp", name: "Compare", src: `func Cmp_Compare[T lpOrdered](x, y T) int { return lpCompare(x, y) }`},
	{path: "cmp", name: "Less", src: `func Cmp_Less[T lpOrdered](x, y T) bool { return lpCompare(x, y) < 0 }`},
	{path: "cmp", name: "Or", src: `func Cmp_Or[T comparable](vals ...T) T {
	var zero T
	for _, v := range vals {
		if v != zero {
			return v
		}
	}
	return zero
}`},

	// slices: searching and comparing
	{path: "slices", name: "Index", src: `func Slices_Index[S ~[]E, E comparable](s S, v E) int {
	for k := range s {
		if s[k] == v {
			return k
		}
	}
	return -1
}`},
	{path: "slices", name: "IndexFunc", src: `func Slices_IndexFunc[S ~[]E, E any](s S, f func(E) bool) int {
	for k := range s {
		if f(s[k]) {
			return k
		}
	}
	return -1
}`},
	{path: "slices", name: "Contains", src: `func Slices_Contains[S ~[]E, E comparable](s S, v E) bool {
	for k := range s {
		if s[k] == v {
			return true
		}
	}
	return false
}`},
	{path: "slices", name: "ContainsFunc", src: `func Slices_ContainsFunc[S ~[]E, E any](s S, f func(E) bool) bool {
	for k := range s {
		if f(s[k]) {
			return true
		}
	}
	return false
}`},
	{path: "slices", name: "Equal", src: `func Slices_Equal[S ~[]E, E comparable](s1, s2 S) bool {
	if len(s1) != len(s2) {
		return false
	}
	for k := range s1 {
		if s1[k] != s2[k] {
			return false
		}
	}
	return true
}`},
	{path: "slices", name: "EqualFunc", src: `func Slices_EqualFunc[S1 ~[]E1, S2 ~[]E2, E1, E2 any](s1 S1, s2 S2, eq func(E1, E2) bool) bool {
	if len(s1) != len(s2) {
		return false
	}
	for k := range s1 {
		if !eq(s1[k], s2[k]) {
			return false
		}
	}
	return true
}`},
	{path: "slices", name: "Compare", src: `func Slices_Compare[S ~[]E, E lpOrdered](s1, s2 S) int {
	for k := range s1 {
		if k >= len(s2) {
			return 1
		}
		if c := lpCompare(s1[k], s2[k]); c != 0 {
			return c
		}
	}
	if len(s1) < len(s2) {
		return -1
	}
	return 0
}`},
	{path: "slices", name: "CompareFunc", src: `func Slices_CompareFunc[S1 ~[]E1, S2 ~[]E2, E1, E2 any](s1 S1, s2 S2, cmp func(E1, E2) int) int {
	for k := range s1 {
		if k >= len(s2) {
			return 1
		}
		if c := cmp(s1[k], s2[k]); c != 0 {
			return c
		}
	}
	if len(s1) < len(s2) {
		return -1
	}
	return 0
}`},
	{path: "slices", name: "BinarySearch", src: `func Slices_BinarySearch[S ~[]E, E lpOrdered](x S, target E) (int, bool) {
	lo, hi := 0, len(x)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if lpCompare(x[h], target) < 0 {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo, lo < len(x) && lpCompare(x[lo], target) == 0
}`},
	{path: "slices", name: "BinarySearchFunc", src: `func Slices_BinarySearchFunc[S ~[]E, E, T any](x S, target T, cmp func(E, T) int) (int, bool) {
	lo, hi := 0, len(x)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if cmp(x[h], target) < 0 {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo, lo < len(x) && cmp(x[lo], target) == 0
}`},
	{path: "slices", name: "Max", src: `func Slices_Max[S ~[]E, E lpOrdered](x S) E {
	if len(x) < 1 {
		panic("slices.Max: empty list")
	}
	m := x[0]
	for k := range x {
		if lpIsNaN(x[k]) {
			return x[k]
		}
		if x[k] > m {
			m = x[k]
		}
	}
	return m
}`},
	{path: "slices", name: "Min", src: `func Slices_Min[S ~[]E, E lpOrdered](x S) E {
	if len(x) < 1 {
		panic("slices.Min: empty list")
	}
	m := x[0]
	for k := range x {
		if lpIsNaN(x[k]) {
			return x[k]
		}
		if x[k] < m {
			m = x[k]
		}
	}
	return m
}`},
	{path: "slices", name: "MaxFunc", src: `func Slices_MaxFunc[S ~[]E, E any](x S, cmp func(a, b E) int) E {
	if len(x) < 1 {
		panic("slices.MaxFunc: empty list")
	}
	m := x[0]
	for k := 1; k < len(x); k++ {
		if cmp(x[k], m) > 0 {
			m = x[k]
		}
	}
	return m
}`},
	{path: "slices", name: "MinFunc", src: `func Slices_MinFunc[S ~[]E, E any](x S, cmp func(a, b E) int) E {
	if len(x) < 1 {
		panic("slices.MinFunc: empty list")
	}
	m := x[0]
	for k := 1; k < len(x); k++ {
		if cmp(x[k], m) < 0 {
			m = x[k]
		}
	}
	return m
}`},

	// slices: sorting
	{path: "slices", name: "Sort", src: `func Slices_Sort[S ~[]E, E lpOrdered](x S) { lpMergeSort(x, func(a, b E) int { return lpCompare(a, b) }) }`},
	{path: "slices", name: "SortFunc", src: `func Slices_SortFunc[S ~[]E, E any](x S, cmp func(a, b E) int) { lpMergeSort(x, cmp) }`},
	{path: "slices", name: "SortStableFunc", src: `func Slices_SortStableFunc[S ~[]E, E any](x S, cmp func(a, b E) int) { lpMergeSort(x, cmp) }`},
	{path: "slices", name: "IsSorted", src: `func Slices_IsSorted[S ~[]E, E lpOrdered](x S) bool {
	for k := len(x) - 1; k > 0; k-- {
		if lpCompare(x[k], x[k-1]) < 0 {
			return false
		}
	}
	return true
}`},
	{path: "slices", name: "IsSortedFunc", src: `func Slices_IsSortedFunc[S ~[]E, E any](x S, cmp func(a, b E) int) bool {
	for k := len(x) - 1; k > 0; k-- {
		if cmp(x[k], x[k-1]) < 0 {
			return false
		}
	}
	return true
}`},

	// slices: building and changing
	{path: "slices", name: "Clone", src: `func Slices_Clone[S ~[]E, E any](s S) S {
	if s == nil {
		return nil
	}
	return append(s[:0:0], s...)
}`},
	{path: "slices", name: "Clip", src: `func Slices_Clip[S ~[]E, E any](s S) S { return s[:len(s):len(s)] }`},
	{path: "slices", name: "Grow", src: `func Slices_Grow[S ~[]E, E any](s S, n int) S {
	if n < 0 {
		panic("cannot be negative")
	}
	if more := n - (cap(s) - len(s)); more > 0 {
		s = append(s[:cap(s)], make([]E, more)...)[:len(s)]
	}
	return s
}`},
	{path: "slices", name: "Concat", src: `func Slices_Concat[S ~[]E, E any](slices ...S) S {
	size := 0
	for _, s := range slices {
		size += len(s)
		if size < 0 {
			panic("len out of range")
		}
	}
	var out S
	if size > 0 {
		out = append(out, make(S, size)...)[:0]
	}
	for _, s := range slices {
		out = append(out, s...)
	}
	return out
}`},
	{path: "slices", name: "Repeat", src: `func Slices_Repeat[S ~[]E, E any](x S, count int) S {
	if count < 0 {
		panic("cannot be negative")
	}
	if len(x) > 0 && count > int(^uint(0)>>1)/len(x) {
		panic("the result of (len(x) * count) overflows")
	}
	out := make(S, len(x)*count)
	for k := 0; k < len(out); k += len(x) {
		copy(out[k:], x)
	}
	return out
}`},
	{path: "slices", name: "Reverse", src: `func Slices_Reverse[S ~[]E, E any](s S) {
	for a, b := 0, len(s)-1; a < b; a, b = a+1, b-1 {
		s[a], s[b] = s[b], s[a]
	}
}`},
	{path: "slices", name: "Insert", src: `func Slices_Insert[S ~[]E, E any](s S, i int, v ...E) S {
	_ = s[i:]
	m, n := len(v), len(s)
	if m == 0 {
		return s
	}
	if i == n {
		return append(s, v...)
	}
	vals := append([]E(nil), v...)
	if n+m > cap(s) {
		out := append(s[:i], make(S, n+m-i)...)
		copy(out[i:], vals)
		copy(out[i+m:], s[i:])
		return out
	}
	out := s[:n+m]
	copy(out[i+m:], s[i:n])
	copy(out[i:], vals)
	return out
}`},
	{path: "slices", name: "Delete", src: `func Slices_Delete[S ~[]E, E any](s S, i, j int) S {
	_ = s[i:j:len(s)]
	if i == j {
		return s
	}
	n := len(s)
	s = append(s[:i], s[j:]...)
	lpZero(s[len(s):n])
	return s
}`},
	{path: "slices", name: "DeleteFunc", src: `func Slices_DeleteFunc[S ~[]E, E any](s S, del func(E) bool) S {
	w := 0
	for k := range s {
		v := s[k]
		if !del(v) {
			s[w] = v
			w++
		}
	}
	lpZero(s[w:])
	return s[:w]
}`},
	{path: "slices", name: "Replace", src: `func Slices_Replace[S ~[]E, E any](s S, i, j int, v ...E) S {
	_ = s[i:j]
	// With i == j this is Insert. (Calling Slices_Insert(s, i, v...) here
	// breaks yaegi's compilation of this function.)
	vals := append([]E(nil), v...)
	n := len(s)
	tot := i + len(vals) + (n - j)
	if tot > cap(s) {
		out := append(s[:i], make(S, tot-i)...)
		copy(out[i:], vals)
		copy(out[i+len(vals):], s[j:])
		return out
	}
	out := s[:tot]
	copy(out[i+len(vals):], s[j:n])
	copy(out[i:], vals)
	if tot < n {
		lpZero(s[tot:n])
	}
	return out
}`},
	{path: "slices", name: "Compact", src: `func Slices_Compact[S ~[]E, E comparable](s S) S {
	if len(s) < 2 {
		return s
	}
	prev, w := s[0], 1
	for k := 1; k < len(s); k++ {
		cur := s[k]
		if cur != prev {
			s[w] = cur
			w++
		}
		prev = cur
	}
	lpZero(s[w:])
	return s[:w]
}`},
	{path: "slices", name: "CompactFunc", src: `func Slices_CompactFunc[S ~[]E, E any](s S, eq func(E, E) bool) S {
	if len(s) < 2 {
		return s
	}
	prev, w := s[0], 1
	for k := 1; k < len(s); k++ {
		cur := s[k]
		if !eq(cur, prev) {
			s[w] = cur
			w++
		}
		prev = cur
	}
	lpZero(s[w:])
	return s[:w]
}`},

	// slices: iterators (Go 1.23)
	{path: "slices", name: "All", src: `func Slices_All[Slice ~[]E, E any](s Slice) func(yield func(int, E) bool) {
	return func(yield func(int, E) bool) {
		for k := range s {
			if !yield(k, s[k]) {
				return
			}
		}
	}
}`},
	{path: "slices", name: "Values", src: `func Slices_Values[Slice ~[]E, E any](s Slice) func(yield func(E) bool) {
	return func(yield func(E) bool) {
		for k := range s {
			if !yield(s[k]) {
				return
			}
		}
	}
}`},
	{path: "slices", name: "Backward", src: `func Slices_Backward[Slice ~[]E, E any](s Slice) func(yield func(int, E) bool) {
	return func(yield func(int, E) bool) {
		for k := len(s) - 1; k >= 0; k-- {
			if !yield(k, s[k]) {
				return
			}
		}
	}
}`},
	{path: "slices", name: "AppendSeq", src: `func Slices_AppendSeq[Slice ~[]E, E any](s Slice, seq func(yield func(E) bool)) Slice {
	seq(func(v E) bool {
		s = append(s, v)
		return true
	})
	return s
}`},
	{path: "slices", name: "Collect", src: `func Slices_Collect[E any](seq func(yield func(E) bool)) []E {
	var out []E
	seq(func(v E) bool {
		out = append(out, v)
		return true
	})
	return out
}`},
	{path: "slices", name: "Sorted", src: `func Slices_Sorted[E lpOrdered](seq func(yield func(E) bool)) []E {
	s := Slices_Collect(seq)
	lpMergeSort(s, func(a, b E) int { return lpCompare(a, b) })
	return s
}`},
	{path: "slices", name: "SortedFunc", src: `func Slices_SortedFunc[E any](seq func(yield func(E) bool), cmp func(E, E) int) []E {
	s := Slices_Collect(seq)
	lpMergeSort(s, cmp)
	return s
}`},
	{path: "slices", name: "SortedStableFunc", src: `func Slices_SortedStableFunc[E any](seq func(yield func(E) bool), cmp func(E, E) int) []E {
	s := Slices_Collect(seq)
	lpMergeSort(s, cmp)
	return s
}`},
	{path: "slices", name: "Chunk", src: `func Slices_Chunk[Slice ~[]E, E any](s Slice, n int) func(yield func(Slice) bool) {
	if n < 1 {
		panic("cannot be less than 1")
	}
	return func(yield func(Slice) bool) {
		for lo := 0; lo < len(s); lo += n {
			hi := lo + n
			if hi > len(s) {
				hi = len(s)
			}
			if !yield(s[lo:hi:hi]) {
				return
			}
		}
	}
}`},

	// maps
	{path: "maps", name: "All", src: `func Maps_All[Map ~map[K]V, K comparable, V any](m Map) func(yield func(K, V) bool) {
	return func(yield func(K, V) bool) {
		for k, v := range m {
			if !yield(k, v) {
				return
			}
		}
	}
}`},
	{path: "maps", name: "Keys", src: `func Maps_Keys[Map ~map[K]V, K comparable, V any](m Map) func(yield func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}`},
	{path: "maps", name: "Values", src: `func Maps_Values[Map ~map[K]V, K comparable, V any](m Map) func(yield func(V) bool) {
	return func(yield func(V) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}`},
	{path: "maps", name: "Insert", src: `func Maps_Insert[Map ~map[K]V, K comparable, V any](m Map, seq func(yield func(K, V) bool)) {
	seq(func(k K, v V) bool {
		m[k] = v
		return true
	})
}`},
	{path: "maps", name: "Collect", src: `func Maps_Collect[K comparable, V any](seq func(yield func(K, V) bool)) map[K]V {
	m := map[K]V{}
	seq(func(k K, v V) bool {
		m[k] = v
		return true
	})
	return m
}`},
	{path: "maps", name: "Clone", src: `func Maps_Clone[M ~map[K]V, K comparable, V any](m M) M {
	if m == nil {
		return nil
	}
	out := make(M, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}`},
	{path: "maps", name: "Copy", src: `func Maps_Copy[M1 ~map[K]V, M2 ~map[K]V, K comparable, V any](dst M1, src M2) {
	for k, v := range src {
		dst[k] = v
	}
}`},
	{path: "maps", name: "DeleteFunc", src: `func Maps_DeleteFunc[M ~map[K]V, K comparable, V any](m M, del func(K, V) bool) {
	for k, v := range m {
		if del(k, v) {
			delete(m, k)
		}
	}
}`},
	{path: "maps", name: "Equal", src: `func Maps_Equal[M1, M2 ~map[K]V, K, V comparable](m1 M1, m2 M2) bool {
	if len(m1) != len(m2) {
		return false
	}
	for k, v1 := range m1 {
		if v2, ok := m2[k]; !ok || v1 != v2 {
			return false
		}
	}
	return true
}`},
	{path: "maps", name: "EqualFunc", src: `func Maps_EqualFunc[M1 ~map[K]V1, M2 ~map[K]V2, K comparable, V1, V2 any](m1 M1, m2 M2, eq func(V1, V2) bool) bool {
	if len(m1) != len(m2) {
		return false
	}
	for k, v1 := range m1 {
		if v2, ok := m2[k]; !ok || !eq(v1, v2) {
			return false
		}
	}
	return true
}`},

	// sync (Go 1.21): a panic of f repeats on every call, with f's value.
	{path: "sync", name: "OnceValue", imports: []string{`"lp_stdbin"`}, src: `func Sync_OnceValue[T any](f func() T) func() T {
	g := lp_stdbin.OnceValue(func() interface{} { return f() })
	return func() T { return g().(T) }
}`},
	{path: "sync", name: "OnceValues", imports: []string{`"lp_stdbin"`}, src: `func Sync_OnceValues[T1, T2 any](f func() (T1, T2)) func() (T1, T2) {
	g := lp_stdbin.OnceValues(func() (interface{}, interface{}) {
		a, b := f() // return f() would lose the second value
		return a, b
	})
	return func() (T1, T2) {
		a, b := g()
		return a.(T1), b.(T2)
	}
}`},

	// reflect (Go 1.22, 1.25), errors (Go 1.26), math/rand/v2 (Go 1.22)
	// (*T)(nil) with T a compiled type crashes yaegi's compiler.
	{path: "reflect", name: "TypeFor", imports: []string{`"reflect"`}, src: `func Reflect_TypeFor[T any]() reflect.Type {
	var z T
	return reflect.TypeOf(&z).Elem()
}`},
	{path: "reflect", name: "TypeAssert", imports: []string{`"reflect"`}, src: `func Reflect_TypeAssert[T any](v reflect.Value) (T, bool) {
	x, ok := v.Interface().(T)
	return x, ok
}`},
	{path: "errors", name: "AsType", imports: []string{`"errors"`}, src: `func Errors_AsType[E error](err error) (E, bool) {
	var target E
	ok := errors.As(err, &target)
	return target, ok
}`},
	{path: "math/rand/v2", name: "N", imports: []string{`"math/rand/v2"`}, src: `func Math_rand_v2_N[Int lpInteger](n Int) Int {
	if n <= 0 {
		panic("invalid argument to N")
	}
	return Int(rand.Uint64N(uint64(n)))
}`},
}
