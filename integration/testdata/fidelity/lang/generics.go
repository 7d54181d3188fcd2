package lang

import (
	"bytes"
	"cmp"
	"errors"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// keysOf returns the keys of m in order: a generic helper of the package
// (not patchable itself) that non-generic functions instantiate.
func keysOf[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// NameKeys instantiates keysOf[string, int].
func NameKeys(m map[string]int) []string { return keysOf(m) }

// IntKeys instantiates keysOf[int, bool].
func IntKeys(m map[int]bool) []int { return keysOf(m) }

// KeysFunc returns an explicit instantiation as a value.
func KeysFunc() func(map[string]bool) []string { return keysOf[string, bool] }

// Stack is a generic type with exported and unexported fields and methods.
type Stack[T any] struct {
	items  []T
	pushes int
}

// Push adds v.
func (s *Stack[T]) Push(v T) {
	s.items = append(s.items, v)
	s.pushes++
}

// Pop removes the last item.
func (s *Stack[T]) Pop() (T, bool) {
	var zero T
	if len(s.items) == 0 {
		return zero, false
	}
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, true
}

// size is an unexported method.
func (s *Stack[T]) size() int { return len(s.items) }

// StackDemo uses a Stack[string] declared here through its exported and
// unexported methods and an unexported field.
func StackDemo(words []string) (string, int, int) {
	var s Stack[string]
	for _, w := range words {
		s.Push(w)
	}
	top, _ := s.Pop()
	return top, s.size(), s.pushes
}

// NewIntStack builds a Stack[int] with a composite literal that sets its
// unexported fields.
func NewIntStack(vals ...int) *Stack[int] { return &Stack[int]{items: vals, pushes: len(vals)} }

// StackOf takes and returns instantiations in its signature.
func StackOf(s *Stack[int], more ...int) (*Stack[int], []int) {
	for _, v := range more {
		s.Push(v)
	}
	return s, s.items
}

// Sorted collects the keys of a map in order through the iterator helpers.
func Sorted(m map[string]int) []string { return slices.Sorted(maps.Keys(m)) }

// ValueSum ranges over maps.Values.
func ValueSum(m map[string]int) int {
	s := 0
	for v := range maps.Values(m) {
		s += v
	}
	return s
}

// Indexed ranges over slices.All and collects slices.Values.
func Indexed(words []string) ([]string, []string) {
	var out []string
	for i, w := range slices.All(words) {
		out = append(out, strings.Repeat(w, i+1))
	}
	return out, slices.Collect(slices.Values(words))
}

// Backwards ranges over slices.Backward.
func Backwards(xs []int) []int {
	var out []int
	for _, v := range slices.Backward(xs) {
		out = append(out, v)
	}
	return out
}

// Chunks collects slices.Chunk.
func Chunks(xs []int, n int) [][]int { return slices.Collect(slices.Chunk(xs, n)) }

// Inverted builds a map through maps.Collect from a function literal.
func Inverted(m map[string]int) map[int]string {
	return maps.Collect(func(yield func(int, string) bool) {
		for k, v := range m {
			if !yield(v, k) {
				return
			}
		}
	})
}

// AllPairs copies a map through maps.All and maps.Insert.
func AllPairs(m map[string]int) map[string]int {
	out := map[string]int{}
	maps.Insert(out, maps.All(m))
	return out
}

// ByLength sorts a clone stably by length, with cmp.Compare.
func ByLength(words []string) []string {
	out := slices.Clone(words)
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(len(a), len(b)) })
	return out
}

// Descending sorts with slices.SortFunc and an explicit instantiation of
// cmp.Compare as a value.
func Descending(xs []int) []int {
	slices.SortFunc(xs, func(a, b int) int { return cmp.Compare(b, a) })
	words := []string{"b", "c", "a"}
	slices.SortFunc(words, cmp.Compare[string])
	return append(xs, len(words[0]))
}

// Edit changes a slice with Insert, Delete and Compact.
func Edit(xs []int) []int {
	xs = slices.Insert(xs, 1, 10, 10)
	xs = slices.Delete(xs, 0, 1)
	return slices.Compact(xs)
}

// Extent uses slices.Min, slices.Max, slices.BinarySearch and cmp.Or.
func Extent(xs []float64, name string) (float64, float64, int, string) {
	i, _ := slices.BinarySearch(xs, 2)
	return slices.Min(xs), slices.Max(xs), i, cmp.Or(name, "none")
}

// LocalPairs sorts values of a type declared inside the function: the
// build has no instantiation the interpreter could name, so it runs the
// agent's interpreted slices.SortFunc and slices.IndexFunc.
func LocalPairs(m map[string]int) []string {
	type pair struct {
		k string
		v int
	}
	var ps []pair
	for k, v := range m {
		ps = append(ps, pair{k, v})
	}
	slices.SortFunc(ps, func(a, b pair) int { return cmp.Or(cmp.Compare(a.v, b.v), cmp.Compare(a.k, b.k)) })
	var out []string
	for _, p := range ps {
		out = append(out, p.k)
	}
	if i := slices.IndexFunc(ps, func(p pair) bool { return p.v > 1 }); i >= 0 {
		out = append(out, ps[i].k)
	}
	return out
}

// LocalKeys instantiates the package's generic keysOf with a type declared
// inside the function: the build has no such instantiation, so the patch
// carries an interpreted copy of keysOf, whose slices.Sort is the agent's.
func LocalKeys() []string {
	type id string
	var out []string
	for _, k := range keysOf(map[id]int{"b": 1, "a": 2}) {
		out = append(out, string(k))
	}
	return out
}

// Lines uses the iterators of strings and bytes (Go 1.24).
func Lines(text string) ([]string, []string, int) {
	var lines []string
	for l := range strings.Lines(text) {
		lines = append(lines, l)
	}
	n := 0
	for range bytes.SplitSeq([]byte(text), []byte("\n")) {
		n++
	}
	return lines, slices.Collect(strings.FieldsSeq(text)), n
}

// onceCalls counts the calls of the function OnceValue wraps.
var onceCalls int

// Once uses sync.OnceValue with a function literal.
func Once() (int, int, int) {
	f := sync.OnceValue(func() int { onceCalls++; return 42 })
	return f(), f(), onceCalls
}

// Config is held through an atomic.Pointer.
type Config struct{ Name string }

// SwapNames uses an atomic.Pointer[Config] declared here.
func SwapNames(a, b string) string {
	var p atomic.Pointer[Config]
	p.Store(&Config{Name: a})
	old := p.Swap(&Config{Name: b})
	return old.Name + "," + p.Load().Name
}

// TypeNames uses reflect.TypeFor (Go 1.22).
func TypeNames() string {
	return reflect.TypeFor[Kind]().String() + "," + reflect.TypeFor[error]().String()
}

// PathOp uses errors.AsType (Go 1.26).
func PathOp(err error) (string, bool) {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Op, true
	}
	return "", false
}
