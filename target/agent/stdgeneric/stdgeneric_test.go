package stdgeneric

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	yaegi "github.com/traefik/yaegi/interp"
)

// stdGenericInterpreter returns a fresh interpreter holding the table of
// interpreted std generics and the few compiled symbols its sources and
// the tests use.
func stdGenericInterpreter(t *testing.T) *yaegi.Interpreter {
	t.Helper()
	i := yaegi.New(yaegi.Options{Stderr: io.Discard}) // yaegi prints where interpreted code panics
	err := i.Use(yaegi.Exports{
		"fmt/fmt":             {"Sprint": reflect.ValueOf(fmt.Sprint)},
		"errors/errors":       {"As": reflect.ValueOf(errors.As), "New": reflect.ValueOf(errors.New)},
		"reflect/reflect":     {"TypeOf": reflect.ValueOf(reflect.TypeOf), "ValueOf": reflect.ValueOf(reflect.ValueOf), "Type": reflect.ValueOf((*reflect.Type)(nil)), "Value": reflect.ValueOf((*reflect.Value)(nil))},
		"math/rand/v2/rand":   {"Uint64N": reflect.ValueOf(rand.Uint64N)},
		"math/math":           {"NaN": reflect.ValueOf(math.NaN), "IsNaN": reflect.ValueOf(math.IsNaN)},
		"strings/strings":     {"SplitSeq": reflect.ValueOf(strings.SplitSeq), "Compare": reflect.ValueOf(strings.Compare)},
		"strconv/strconv":     {"Itoa": reflect.ValueOf(strconv.Itoa)},
		"io/fs/fs":            {"PathError": reflect.ValueOf((*fs.PathError)(nil))},
		"example.com/std/std": {"compiledSeq": reflect.ValueOf(slices.Values([]int{5, 6, 7}))},
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, err := range Use(i, testCompile(i), slog.New(slog.DiscardHandler)) {
		t.Errorf("%s does not compile: %v", name, err)
	}
	return i
}

// stdCase is one call of an interpreted implementation and the value the
// compiled std function gives for the same call.
type stdCase struct {
	src  string // an expression using lp_std
	want any
}

// recovered returns the value f panics with, or nil.
func recovered(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// after returns s after f changed it (its elements beyond len included,
// up to cap), with its length and capacity.
func after[S ~[]E, E any](s S, f func(S) S) []any {
	r := f(s)
	return []any{[]E(s[:cap(s)]), []E(r), len(r), cap(r)}
}

// stdCases are the cases of the equivalence test; each entry of the table
// has at least one.
func stdCases() map[string][]stdCase {
	nan := math.NaN()
	return map[string][]stdCase{
		"cmp.Compare": {{`lp_std.Cmp_Compare[int](1, 2)`, cmp.Compare(1, 2)}, {`lp_std.Cmp_Compare[float64](math.NaN(), 1)`, cmp.Compare(nan, 1)}, {`lp_std.Cmp_Compare[string]("b", "a")`, cmp.Compare("b", "a")}},
		"cmp.Less":    {{`lp_std.Cmp_Less[float64](1, math.NaN())`, cmp.Less(1, nan)}, {`lp_std.Cmp_Less[int](1, 2)`, cmp.Less(1, 2)}},
		"cmp.Or":      {{`lp_std.Cmp_Or[string]("", "", "x", "y")`, cmp.Or("", "", "x", "y")}, {`lp_std.Cmp_Or[int]()`, cmp.Or[int]()}},

		"slices.Index":        {{`lp_std.Slices_Index[[]string, string]([]string{"a", "b"}, "b")`, slices.Index([]string{"a", "b"}, "b")}, {`lp_std.Slices_Index[[]int, int](nil, 1)`, slices.Index([]int(nil), 1)}},
		"slices.IndexFunc":    {{`lp_std.Slices_IndexFunc[[]int, int]([]int{1, 4, 6}, func(x int) bool { return x%2 == 0 })`, slices.IndexFunc([]int{1, 4, 6}, func(x int) bool { return x%2 == 0 })}},
		"slices.Contains":     {{`lp_std.Slices_Contains[[]float64, float64]([]float64{math.NaN()}, math.NaN())`, slices.Contains([]float64{nan}, nan)}, {`lp_std.Slices_Contains[[]int, int]([]int{1, 2}, 2)`, true}},
		"slices.ContainsFunc": {{`lp_std.Slices_ContainsFunc[[]int, int]([]int{1, 3}, func(x int) bool { return x > 2 })`, true}},
		"slices.Equal":        {{`lp_std.Slices_Equal[[]int, int]([]int{1, 2}, []int{1, 2})`, true}, {`lp_std.Slices_Equal[[]float64, float64]([]float64{math.NaN()}, []float64{math.NaN()})`, slices.Equal([]float64{nan}, []float64{nan})}, {`lp_std.Slices_Equal[[]int, int](nil, []int{})`, slices.Equal(nil, []int{})}},
		"slices.EqualFunc":    {{`lp_std.Slices_EqualFunc[[]int, []string, int, string]([]int{1, 2}, []string{"1", "2"}, func(a int, b string) bool { return strconv.Itoa(a) == b })`, true}},
		"slices.Compare":      {{`lp_std.Slices_Compare[[]int, int]([]int{1, 2}, []int{1, 2, 3})`, slices.Compare([]int{1, 2}, []int{1, 2, 3})}, {`lp_std.Slices_Compare[[]int, int]([]int{1, 3}, []int{1, 2, 3})`, slices.Compare([]int{1, 3}, []int{1, 2, 3})}, {`lp_std.Slices_Compare[[]int, int]([]int{1, 2}, []int{1, 2})`, 0}},
		"slices.CompareFunc":  {{`lp_std.Slices_CompareFunc[[]int, []int, int, int]([]int{1, 2, 3}, []int{1, 2}, func(a, b int) int { return a - b })`, 1}},
		"slices.BinarySearch": {{`func() []interface{} { i, ok := lp_std.Slices_BinarySearch[[]int, int]([]int{1, 3, 5}, 4); return []interface{}{i, ok} }()`, []any{2, false}}, {`func() []interface{} { i, ok := lp_std.Slices_BinarySearch[[]string, string]([]string{"a", "c"}, "c"); return []interface{}{i, ok} }()`, []any{1, true}},
			{`func() []interface{} { i, ok := lp_std.Slices_BinarySearch[[]float64, float64]([]float64{math.NaN(), 1}, math.NaN()); return []interface{}{i, ok} }()`, func() []any { i, ok := slices.BinarySearch([]float64{nan, 1}, nan); return []any{i, ok} }()}},
		"slices.BinarySearchFunc": {{`func() []interface{} { i, ok := lp_std.Slices_BinarySearchFunc[[]int, int, string]([]int{1, 3, 5}, "3", func(e int, s string) int { return strings.Compare(strconv.Itoa(e), s) }); return []interface{}{i, ok} }()`, []any{1, true}}},
		"slices.Max":              {{`lp_std.Slices_Max[[]int, int]([]int{1, 5, 3})`, 5}, {`math.IsNaN(lp_std.Slices_Max[[]float64, float64]([]float64{1, math.NaN(), 3}))`, true}, {`func() (r interface{}) { defer func() { r = recover() }(); lp_std.Slices_Max[[]int, int](nil); return nil }()`, recovered(func() { _ = slices.Max([]int(nil)) })}},
		"slices.Min":              {{`lp_std.Slices_Min[[]string, string]([]string{"b", "a"})`, "a"}, {`math.IsNaN(lp_std.Slices_Min[[]float64, float64]([]float64{math.NaN(), 1}))`, true}, {`func() (r interface{}) { defer func() { r = recover() }(); lp_std.Slices_Min[[]int, int](nil); return nil }()`, recovered(func() { _ = slices.Min([]int(nil)) })}},
		"slices.MaxFunc":          {{`lp_std.Slices_MaxFunc[[]string, string]([]string{"ab", "cd", "e"}, func(a, b string) int { return len(a) - len(b) })`, slices.MaxFunc([]string{"ab", "cd", "e"}, func(a, b string) int { return len(a) - len(b) })}, {`func() (r interface{}) { defer func() { r = recover() }(); lp_std.Slices_MaxFunc[[]int, int](nil, nil); return nil }()`, recovered(func() { _ = slices.MaxFunc([]int(nil), nil) })}},
		"slices.MinFunc":          {{`lp_std.Slices_MinFunc[[]string, string]([]string{"ab", "cd", "efg"}, func(a, b string) int { return len(a) - len(b) })`, slices.MinFunc([]string{"ab", "cd", "efg"}, func(a, b string) int { return len(a) - len(b) })}, {`func() (r interface{}) { defer func() { r = recover() }(); lp_std.Slices_MinFunc[[]int, int](nil, nil); return nil }()`, recovered(func() { _ = slices.MinFunc([]int(nil), nil) })}},

		"slices.Sort":           {{`func() []float64 { x := []float64{3, math.NaN(), 1, 2, -1}; lp_std.Slices_Sort[[]float64, float64](x); return x[1:] }()`, []float64{-1, 1, 2, 3}}, {`func() []string { x := []string{"c", "a", "b", "a"}; lp_std.Slices_Sort[[]string, string](x); return x }()`, []string{"a", "a", "b", "c"}}},
		"slices.SortFunc":       {{`func() []int { x := []int{5, 2, 8, 1, 9, 3, 7, 4, 6, 0, 11, 10}; lp_std.Slices_SortFunc[[]int, int](x, func(a, b int) int { return b - a }); return x }()`, []int{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}}},
		"slices.SortStableFunc": {{`func() []string { x := []string{"bb", "a", "cc", "d", "ee"}; lp_std.Slices_SortStableFunc[[]string, string](x, func(a, b string) int { return len(a) - len(b) }); return x }()`, []string{"a", "d", "bb", "cc", "ee"}}},
		"slices.IsSorted":       {{`lp_std.Slices_IsSorted[[]int, int]([]int{1, 2, 2, 3})`, true}, {`lp_std.Slices_IsSorted[[]int, int]([]int{2, 1})`, false}},
		"slices.IsSortedFunc":   {{`lp_std.Slices_IsSortedFunc[[]int, int]([]int{3, 2, 1}, func(a, b int) int { return b - a })`, true}},

		"slices.Clone":   {{`func() []interface{} { c := lp_std.Slices_Clone[[]int, int]([]int{1, 2, 3, 4, 5}); return []interface{}{c, len(c), cap(c)} }()`, func() []any { c := slices.Clone([]int{1, 2, 3, 4, 5}); return []any{c, len(c), cap(c)} }()}, {`lp_std.Slices_Clone[[]int, int](nil) == nil`, slices.Clone([]int(nil)) == nil}, {`lp_std.Slices_Clone[[]int, int]([]int{}) == nil`, slices.Clone([]int{}) == nil}},
		"slices.Clip":    {{`cap(lp_std.Slices_Clip[[]int, int](make([]int, 2, 5)))`, 2}},
		"slices.Grow":    {{`cap(lp_std.Slices_Grow[[]int, int](make([]int, 2, 3), 5)) >= 7`, true}, {`func() (r interface{}) { defer func() { r = recover() }(); lp_std.Slices_Grow[[]int, int](nil, -1); return nil }()`, recovered(func() { _ = slices.Grow([]int(nil), -1) })}},
		"slices.Concat":  {{`lp_std.Slices_Concat[[]int, int]([]int{1}, nil, []int{2, 3})`, slices.Concat([]int{1}, nil, []int{2, 3})}, {`lp_std.Slices_Concat[[]int, int]([]int{}) == nil`, slices.Concat([]int{}) == nil}},
		"slices.Repeat":  {{`lp_std.Slices_Repeat[[]int, int]([]int{1, 2}, 3)`, slices.Repeat([]int{1, 2}, 3)}, {`func() (r interface{}) { defer func() { r = recover() }(); lp_std.Slices_Repeat[[]int, int](nil, -1); return nil }()`, recovered(func() { _ = slices.Repeat([]int(nil), -1) })}},
		"slices.Reverse": {{`func() []int { x := []int{1, 2, 3}; lp_std.Slices_Reverse[[]int, int](x); return x }()`, []int{3, 2, 1}}},
		"slices.Insert": {
			{`func() []interface{} { s := make([]int, 3, 6); s[0], s[1], s[2] = 1, 2, 3; r := lp_std.Slices_Insert[[]int, int](s, 1, 8, 9); return []interface{}{s[:cap(s)], r, len(r), cap(r)} }()`, after(append(make([]int, 0, 6), 1, 2, 3), func(s []int) []int { return slices.Insert(s, 1, 8, 9) })},
			{`func() []interface{} { s := []int{1, 2, 3}; r := lp_std.Slices_Insert[[]int, int](s, 3, s...); return []interface{}{r} }()`, []any{slices.Insert([]int{1, 2, 3}, 3, 1, 2, 3)}},
			{`func() []interface{} { s := make([]int, 3, 8); s[0], s[1], s[2] = 1, 2, 3; r := lp_std.Slices_Insert[[]int, int](s, 0, s[1:]...); return []interface{}{r} }()`, func() []any { s := append(make([]int, 0, 8), 1, 2, 3); return []any{slices.Insert(s, 0, s[1:]...)} }()},
			{`func() (r interface{}) { defer func() { r = recover() != nil }(); lp_std.Slices_Insert[[]int, int](nil, 1, 1); return nil }()`, recovered(func() { _ = slices.Insert([]int(nil), 1, 1) }) != nil},
		},
		"slices.Delete": {
			{`func() []interface{} { s := []int{1, 2, 3, 4, 5}; r := lp_std.Slices_Delete[[]int, int](s, 1, 3); return []interface{}{s[:cap(s)], r, len(r), cap(r)} }()`, after([]int{1, 2, 3, 4, 5}, func(s []int) []int { return slices.Delete(s, 1, 3) })},
			{`func() (r interface{}) { defer func() { r = recover() != nil }(); lp_std.Slices_Delete[[]int, int]([]int{1}, 0, 2); return nil }()`, true},
		},
		"slices.DeleteFunc": {{`func() []interface{} { s := []int{1, 2, 3, 4, 6}; r := lp_std.Slices_DeleteFunc[[]int, int](s, func(x int) bool { return x%2 == 0 }); return []interface{}{s[:cap(s)], r, len(r), cap(r)} }()`, after([]int{1, 2, 3, 4, 6}, func(s []int) []int { return slices.DeleteFunc(s, func(x int) bool { return x%2 == 0 }) })}},
		"slices.Replace": {
			{`func() []interface{} { s := []int{1, 2, 3, 4, 5}; r := lp_std.Slices_Replace[[]int, int](s, 1, 4, 9); return []interface{}{s[:cap(s)], r, len(r), cap(r)} }()`, after([]int{1, 2, 3, 4, 5}, func(s []int) []int { return slices.Replace(s, 1, 4, 9) })},
			{`func() []interface{} { s := []int{1, 2, 3}; r := lp_std.Slices_Replace[[]int, int](s, 1, 2, 7, 8, 9); return []interface{}{s[:cap(s)], r, len(r)} }()`, func() []any {
				s := []int{1, 2, 3}
				r := slices.Replace(s, 1, 2, 7, 8, 9)
				return []any{s[:cap(s)], r, len(r)}
			}()},
			{`func() []interface{} { s := make([]int, 3, 10); s[0], s[1], s[2] = 1, 2, 3; r := lp_std.Slices_Replace[[]int, int](s, 0, 1, s...); return []interface{}{s[:cap(s)], r, len(r), cap(r)} }()`, after(append(make([]int, 0, 10), 1, 2, 3), func(s []int) []int { return slices.Replace(s, 0, 1, s...) })},
			{`func() []interface{} { s := []int{1, 2, 3}; r := lp_std.Slices_Replace[[]int, int](s, 1, 1, 5); return []interface{}{r} }()`, []any{slices.Replace([]int{1, 2, 3}, 1, 1, 5)}},
		},
		"slices.Compact": {{`func() []interface{} { s := []int{1, 1, 2, 2, 2, 3, 1}; r := lp_std.Slices_Compact[[]int, int](s); return []interface{}{s[:cap(s)], r, len(r), cap(r)} }()`, after([]int{1, 1, 2, 2, 2, 3, 1}, slices.Compact[[]int])}},
		"slices.CompactFunc": {{`func() []interface{} { s := []string{"a", "A", "b", "B", "c"}; r := lp_std.Slices_CompactFunc[[]string, string](s, func(a, b string) bool { return len(a) == len(b) && (a == b || a[0]^b[0] == 32) }); return []interface{}{s[:cap(s)], r} }()`, func() []any {
			s := []string{"a", "A", "b", "B", "c"}
			r := slices.CompactFunc(s, func(a, b string) bool { return len(a) == len(b) && (a == b || a[0]^b[0] == 32) })
			return []any{s[:cap(s)], r}
		}()}},

		"slices.All":              {{`func() []int { var out []int; lp_std.Slices_All[[]int, int]([]int{7, 8, 9})(func(i, v int) bool { out = append(out, i, v); return i < 1 }); return out }()`, []int{0, 7, 1, 8}}},
		"slices.Values":           {{`lp_std.Slices_Collect[int](lp_std.Slices_Values[[]int, int]([]int{1, 2}))`, slices.Collect(slices.Values([]int{1, 2}))}},
		"slices.Backward":         {{`func() []int { var out []int; lp_std.Slices_Backward[[]int, int]([]int{7, 8, 9})(func(i, v int) bool { out = append(out, i, v); return true }); return out }()`, []int{2, 9, 1, 8, 0, 7}}},
		"slices.AppendSeq":        {{`lp_std.Slices_AppendSeq[[]int, int]([]int{1}, compiledSeq)`, slices.AppendSeq([]int{1}, slices.Values([]int{5, 6, 7}))}},
		"slices.Collect":          {{`lp_std.Slices_Collect[string](strings.SplitSeq("a,b,c", ","))`, slices.Collect(strings.SplitSeq("a,b,c", ","))}, {`lp_std.Slices_Collect[int](func(func(int) bool) {}) == nil`, true}},
		"slices.Sorted":           {{`lp_std.Slices_Sorted[int](compiledSeq)`, []int{5, 6, 7}}, {`lp_std.Slices_Sorted[string](lp_std.Maps_Keys[map[string]int, string, int](map[string]int{"b": 1, "a": 2, "c": 3}))`, []string{"a", "b", "c"}}},
		"slices.SortedFunc":       {{`lp_std.Slices_SortedFunc[int](compiledSeq, func(a, b int) int { return b - a })`, []int{7, 6, 5}}},
		"slices.SortedStableFunc": {{`lp_std.Slices_SortedStableFunc[string](strings.SplitSeq("bb,a,cc,d", ","), func(a, b string) int { return len(a) - len(b) })`, []string{"a", "d", "bb", "cc"}}},
		"slices.Chunk": {
			{`func() []interface{} { var out []interface{}; lp_std.Slices_Chunk[[]int, int]([]int{1, 2, 3, 4, 5}, 2)(func(c []int) bool { out = append(out, c, cap(c)); return true }); return out }()`, func() []any {
				var out []any
				for c := range slices.Chunk([]int{1, 2, 3, 4, 5}, 2) {
					out = append(out, c, cap(c))
				}
				return out
			}()},
			{`func() (r interface{}) { defer func() { r = recover() }(); lp_std.Slices_Chunk[[]int, int](nil, 0); return nil }()`, recovered(func() { _ = slices.Chunk([]int(nil), 0) })},
		},

		"maps.All":        {{`func() int { n := 0; lp_std.Maps_All[map[string]int, string, int](map[string]int{"a": 1, "b": 2})(func(k string, v int) bool { n += len(k) + v; return true }); return n }()`, 5}},
		"maps.Keys":       {{`lp_std.Slices_Sorted[string](lp_std.Maps_Keys[map[string]bool, string, bool](map[string]bool{"y": true, "x": false}))`, slices.Sorted(maps.Keys(map[string]bool{"y": true, "x": false}))}},
		"maps.Values":     {{`lp_std.Slices_Sorted[int](lp_std.Maps_Values[map[string]int, string, int](map[string]int{"y": 2, "x": 1}))`, []int{1, 2}}},
		"maps.Insert":     {{`func() map[string]int { m := map[string]int{"a": 1}; lp_std.Maps_Insert[map[string]int, string, int](m, lp_std.Maps_All[map[string]int, string, int](map[string]int{"b": 2})); return m }()`, map[string]int{"a": 1, "b": 2}}},
		"maps.Collect":    {{`lp_std.Maps_Collect[int, int](lp_std.Slices_All[[]int, int]([]int{4, 5}))`, maps.Collect(slices.All([]int{4, 5}))}, {`lp_std.Maps_Collect[int, int](func(func(int, int) bool) {}) != nil`, maps.Collect(func(func(int, int) bool) {}) != nil}},
		"maps.Clone":      {{`lp_std.Maps_Clone[map[string]int, string, int](map[string]int{"a": 1})`, map[string]int{"a": 1}}, {`lp_std.Maps_Clone[map[string]int, string, int](nil) == nil`, maps.Clone(map[string]int(nil)) == nil}},
		"maps.Copy":       {{`func() map[string]int { m := map[string]int{"a": 1}; lp_std.Maps_Copy[map[string]int, map[string]int, string, int](m, map[string]int{"a": 3, "b": 2}); return m }()`, map[string]int{"a": 3, "b": 2}}},
		"maps.DeleteFunc": {{`func() map[int]int { m := map[int]int{1: 1, 2: 2, 3: 3}; lp_std.Maps_DeleteFunc[map[int]int, int, int](m, func(k, v int) bool { return k%2 == 1 }); return m }()`, map[int]int{2: 2}}},
		"maps.Equal":      {{`lp_std.Maps_Equal[map[string]int, map[string]int, string, int](map[string]int{"a": 1}, map[string]int{"a": 1})`, true}, {`lp_std.Maps_Equal[map[string]int, map[string]int, string, int](map[string]int{"a": 0}, map[string]int{"b": 0})`, false}},
		"maps.EqualFunc":  {{`lp_std.Maps_EqualFunc[map[string]int, map[string]string, string, int, string](map[string]int{"a": 1}, map[string]string{"a": "1"}, func(a int, b string) bool { return strconv.Itoa(a) == b })`, true}},

		"sync.OnceValue": {
			{`func() []int { n := 0; f := lp_std.Sync_OnceValue[int](func() int { n++; return n * 10 }); return []int{f(), f(), n} }()`, []int{10, 10, 1}},
			// fmt.Sprint: yaegi's recover returns an interpreted panic's
			// value wrapped in a reflect.Value.
			{`func() []interface{} { n := 0; f := lp_std.Sync_OnceValue[int](func() int { n++; panic("boom") }); get := func() (r interface{}) { defer func() { r = fmt.Sprint(recover()) }(); f(); return nil }; return []interface{}{get(), get(), n} }()`, func() []any {
				n := 0
				f := sync.OnceValue(func() int { n++; panic("boom") })
				return []any{recovered(func() { f() }), recovered(func() { f() }), n}
			}()},
		},
		"sync.OnceValues": {{`func() []interface{} { n := 0; f := lp_std.Sync_OnceValues[int, string](func() (int, string) { n++; return n, "x" }); a, b := f(); c, _ := f(); return []interface{}{a, b, c, n} }()`, []any{1, "x", 1, 1}}},

		"reflect.TypeFor":    {{`lp_std.Reflect_TypeFor[error]().String()`, reflect.TypeFor[error]().String()}, {`lp_std.Reflect_TypeFor[fs.PathError]().String()`, reflect.TypeFor[fs.PathError]().String()}},
		"reflect.TypeAssert": {{`func() []interface{} { v, ok := lp_std.Reflect_TypeAssert[string](reflect.ValueOf("s")); w, ok2 := lp_std.Reflect_TypeAssert[int](reflect.ValueOf("s")); return []interface{}{v, ok, w, ok2} }()`, []any{"s", true, 0, false}}},
		"errors.AsType":      {{`func() []interface{} { e, ok := lp_std.Errors_AsType[*fs.PathError](error(&fs.PathError{Op: "open"})); _, ok2 := lp_std.Errors_AsType[*fs.PathError](errors.New("x")); return []interface{}{e.Op, ok, ok2} }()`, []any{"open", true, false}}},
		"math/rand/v2.N":     {{`func() bool { for k := 0; k < 100; k++ { if n := lp_std.Math_rand_v2_N[int8](3); n < 0 || n >= 3 { return false } }; return true }()`, true}, {`func() (r interface{}) { defer func() { r = recover() }(); lp_std.Math_rand_v2_N[int](0); return nil }()`, recovered(func() { rand.N(0) })}},
	}
}

// TestGenericStdMatchesCompiled runs every interpreted implementation of
// the table on cases whose results (return values, elements a call
// changes or zeroes, capacities, panic values) compiled std gives too.
func TestGenericStdMatchesCompiled(t *testing.T) {
	i := stdGenericInterpreter(t)
	if _, err := i.Eval(`import ("errors"; "fmt"; "io/fs"; "math"; "reflect"; "strconv"; "strings"; . "example.com/std")`); err != nil {
		t.Fatal(err)
	}
	cases := stdCases()
	for _, g := range stdGenerics {
		key := g.path + "." + g.name
		if len(cases[key]) == 0 {
			t.Errorf("%s: no test case", key)
		}
	}
	n := 0
	for key, cs := range cases {
		if _, ok := stdGenericIndex[key]; !ok {
			t.Errorf("%s: cases for a function the table lacks", key)
		}
		for _, c := range cs {
			n++
			// A package-level function: yaegi's value of a call of a
			// function literal evaluated at top level is not the result.
			fn := fmt.Sprintf("lpCase%d", n)
			// yaegi fails at run time returning a comparison as an
			// interface ("call of reflect.Value.SetBool on interface
			// Value"), hence the variable.
			if _, err := safeEval(i, "func "+fn+"() interface{} { lpV := "+c.src+"; return lpV }"); err != nil {
				t.Errorf("%s: %s: %v", key, c.src, err)
				continue
			}
			v, err := safeEval(i, fn+"()")
			if err != nil {
				t.Errorf("%s: %s: %v", key, c.src, err)
				continue
			}
			var got any
			if v.IsValid() {
				got = v.Interface()
			}
			if !reflect.DeepEqual(fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", c.want)) {
				t.Errorf("%s: %s:\ngot  %#v\nwant %#v", key, c.src, got, c.want)
			}
		}
	}
}

// safeEval evaluates src, turning a panic of yaegi into an error.
func safeEval(i *yaegi.Interpreter, src string) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("interpreter panic: %v", panicValue(r))
		}
	}()
	return i.Eval(src)
}

// testCompile returns the compile function of Use for i, which turns a
// panic of yaegi into an error as the agent's does.
func testCompile(i *yaegi.Interpreter) func(string) error {
	return func(src string) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("interpreter failed: %v", panicValue(r))
			}
		}()
		_, err = i.Compile(src)
		return err
	}
}

// panicValue returns the value that interpreted code passed to panic:
// yaegi panics with its reflect.Value.
func panicValue(r any) any {
	if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
		return v.Interface()
	}
	return r
}

// TestGenericStdNames checks that every source of the table declares the
// function under the name Lookup gives for it, and that the twin
// Lookup names for calls without type arguments has exactly the type
// parameters of the function that are not constrained to a core type.
func TestGenericStdNames(t *testing.T) {
	for _, g := range stdGenerics {
		q, inferred, ok := Lookup(g.path, g.name)
		name := strings.TrimPrefix(q, Package+".")
		if !ok || !strings.HasPrefix(g.src, "func "+name+"[") {
			t.Errorf("%s.%s: source does not declare %s", g.path, g.name, q)
		}
		twin, has := inferenceTwin(g.src)
		if has != (inferred == q+twinSuffix) || has && !strings.HasPrefix(twin, "func "+name+twinSuffix+"[") {
			t.Errorf("%s.%s: inferred name %q, twin %v:\n%s", g.path, g.name, inferred, has, twin)
		}
	}
	if _, _, ok := Lookup("slices", "NoSuch"); ok {
		t.Error("Lookup(slices, NoSuch) is ok")
	}
	if got := Name("math/rand/v2", "N"); got != "Math_rand_v2_N" {
		t.Errorf("Name(math/rand/v2, N): got %q", got)
	}
	for src, want := range map[string]string{
		"func F[S ~[]E, E any](s S) S { var x S; return append(x, s...) }":                 "func F_I[E any](s []E) []E { var x []E; return append(x, s...) }",
		"func F[M1, M2 ~map[K]V, K, V comparable](a M1, b M2) bool { return len(a) == 0 }": "func F_I[K comparable, V comparable](a map[K]V, b map[K]V) bool { return len(a) == 0 }",
		"func F[S1 ~[]E1, S2 ~[]E2, E1, E2 any](a S1, b S2) int { return 0 }":              "func F_I[E1 any, E2 any](a []E1, b []E2) int { return 0 }",
	} {
		if got, ok := inferenceTwin(src); !ok || got != want {
			t.Errorf("inferenceTwin(%q):\ngot  %q\nwant %q", src, got, want)
		}
	}
	if _, ok := inferenceTwin("func F[T any](x T) T { return x }"); ok {
		t.Error("inferenceTwin: a twin for a function without core-type parameters")
	}
}

// TestGenericStdTwinsInGenericCode calls inference twins from generic
// code instantiated with named types, as the rewriter writes calls inside
// interpreted copies of generic functions: without type arguments.
func TestGenericStdTwinsInGenericCode(t *testing.T) {
	i := stdGenericInterpreter(t)
	src := `package twins

type id string

type ord interface{ ~int | ~string }

func keysOf[K ord, V any](m map[K]V) []K {
	keys := lp_std.Slices_Collect(lp_std.Maps_Keys_I(m))
	lp_std.Slices_Sort_I(keys)
	return keys
}

func uniq[S ~[]E, E comparable](s S) S { return lp_std.Slices_Compact_I(s) }

func F() string {
	return fmt.Sprint(keysOf[id, int](map[id]int{"b": 1, "a": 2}), uniq[[]id, id]([]id{"a", "a", "b"}), lp_std.Slices_Max_I([]id{"a", "c", "b"}))
}`
	if _, err := safeEval(i, strings.Replace(src, "type id string", "import \"fmt\"\n\ntype id string", 1)); err != nil {
		t.Fatal(err)
	}
	v, err := safeEval(i, "twins.F()")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.Interface(), fmt.Sprint([]string{"a", "b"}, []string{"a", "b"}, twinID("c")); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// twinID is a named string type, as the interpreted test's id.
type twinID string
