package lang

import (
	"iter"
	"maps"
	"slices"
)

// Squares returns the squares of 0..n-1, ranging over an integer.
func Squares(n int) []int {
	var out []int
	for i := range n {
		out = append(out, i*i)
	}
	return out
}

// Count yields 0..n-1.
func Count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

// SumUntil sums the values of Count(n) below limit, ranging over a function.
func SumUntil(n, limit int) int {
	s := 0
	for v := range Count(n) {
		if v >= limit {
			break
		}
		s += v
	}
	return s
}

// Closures returns functions that each capture their own loop variable
// (Go 1.22 semantics).
func Closures(n int) []func() int {
	var fs []func() int
	for i := 0; i < n; i++ {
		fs = append(fs, func() int { return i })
	}
	return fs
}

// Extremes returns the minimum and maximum of three values, and clears m.
func Extremes(a, b, c int, m map[string]int) (int, int) {
	clear(m)
	return min(a, b, c), max(a, b, c)
}

// FloatMax is max over floats.
func FloatMax(a, b float64) float64 { return max(a, b) }

// SortedKeys uses the generic helpers of slices and maps.
func SortedKeys(m map[string]int) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.Sort(keys)
	return keys
}

// IndexOf uses slices.Index.
func IndexOf(xs []string, x string) int { return slices.Index(xs, x) }

// Factorials returns 1!, 2!, ..., n! (n > 0) from a loop with an init
// statement and neither a condition nor a post statement, whose body steps
// the variable and skips a step with continue (shopspring/decimal's
// ExpTaylor sums its series so).
func Factorials(n int) []int {
	out := []int{}
	f := 1
	for i := 1; ; {
		f *= i
		out = append(out, f)
		if len(out) >= n {
			break
		}
		i++
		if i == 3 {
			f *= i
			out = append(out, f)
			i++
			continue
		}
	}
	return out[:n]
}
