package lang

import (
	"iter"
	"sort"
)

// Pairs yields the index and value of each element of xs, stopping when
// yield says so; it records whether the loop let it finish.
func Pairs(xs []string, done *bool) func(yield func(int, string) bool) {
	return func(yield func(int, string) bool) {
		for i, x := range xs {
			if !yield(i, x) {
				return
			}
		}
		*done = true
	}
}

// JoinPairs ranges over a function of two values.
func JoinPairs(xs []string) (string, bool) {
	done := false
	s := ""
	for i, x := range Pairs(xs, &done) {
		s += string(rune('0'+i)) + x
	}
	return s, done
}

// FirstLong breaks out of a range over a function; the iterator sees it.
func FirstLong(xs []string, n int) (string, bool) {
	done := false
	found := ""
	for _, x := range Pairs(xs, &done) {
		if len(x) >= n {
			found = x
			break
		}
	}
	return found, done
}

// OddSum continues a range over an iter.Seq value, and breaks out of it
// through its label from an inner loop and a switch.
func OddSum(seq iter.Seq[int], stop int) int {
	s := 0
outer:
	for v := range seq {
		if v%2 == 0 {
			continue
		}
		for j := 0; j < 2; j++ {
			if j == 1 {
				continue
			}
			switch {
			case v == stop:
				break outer
			case v > 100:
				continue outer
			}
		}
		s += v
	}
	return s
}

// Adders makes a closure per iteration of a range over a function: each
// captures its own loop variable.
func Adders(seq iter.Seq[int]) []func(int) int {
	var fs []func(int) int
	for v := range seq {
		fs = append(fs, func(x int) int { return x + v })
	}
	return fs
}

// Keys yields the keys of m, sorted.
func Keys(m map[string]int) func(yield func(string) bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return func(yield func(string) bool) {
		for _, k := range keys {
			if !yield(k) {
				return
			}
		}
	}
}

// KeysInto assigns existing variables from a range over a function, and
// counts the iterations of a range without variables.
func KeysInto(m map[string]int) ([]string, int) {
	var k string
	var keys []string
	for k = range Keys(m) {
		keys = append(keys, k)
	}
	n := 0
	for range Keys(m) {
		n++
	}
	return keys, n
}

// FindIndex returns from inside a range over a function (the rewriter
// stores the result, stops the iteration and returns after the call).
func FindIndex(seq iter.Seq[int], want int) int {
	i := 0
	for v := range seq {
		if v == want {
			return i
		}
		i++
	}
	return -1
}
