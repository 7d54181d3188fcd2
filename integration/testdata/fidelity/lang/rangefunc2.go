package lang

import (
	"fmt"
	"iter"
	"slices"
)

// Returns, branches out and defers in the bodies of ranges over functions,
// functions returning iter types, and defers in loops.

// FindPair returns from a range over a function nested in another: the
// return leaves both loops and the function.
func FindPair(a, b iter.Seq[int], sum int) (int, int, error) {
	for x := range a {
		for y := range b {
			if x+y == sum {
				return x, y, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("no pair sums to %d", sum)
}

// FirstAbove assigns its named results from a range over a function and
// returns them with a bare return from the body.
func FirstAbove(seq iter.Seq2[int, int], limit int) (i, v int, ok bool) {
	for i, v = range seq {
		if v > limit {
			ok = true
			return
		}
	}
	return -1, 0, false
}

// Scan continues and breaks an ordinary loop from a range over a function
// in it, and jumps out of both with a goto.
func Scan(rows [][]int, stop int) (sum int, trace []string) {
rows:
	for r, row := range rows {
		for v := range slices.Values(row) {
			switch {
			case v < 0:
				trace = append(trace, fmt.Sprint("skip ", r))
				continue rows
			case v == stop:
				trace = append(trace, "stop")
				break rows
			case v > 1000:
				goto overflow
			}
			sum += v
		}
		trace = append(trace, fmt.Sprint("row ", r))
	}
	return sum, trace
overflow:
	return -1, append(trace, "overflow")
}

// Below lists pairs of a and b, continuing and breaking the outer range
// over a function from the inner one.
func Below(a, b iter.Seq[int]) (out [][2]int) {
outer:
	for x := range a {
		for y := range b {
			if y > x {
				continue outer
			}
			if x*y > 20 {
				break outer
			}
			out = append(out, [2]int{x, y})
		}
	}
	return out
}

// Retry jumps back to the label of a range over a function with a goto
// from its body.
func Retry(seq iter.Seq[int], bad int) (seen []int) {
	tries := 0
again:
	for v := range seq {
		seen = append(seen, v)
		if v == bad && tries == 0 {
			tries++
			goto again
		}
	}
	return seen
}

// record appends s to *log: a deferred call of a function with arguments.
func record(log *[]string, s string) { *log = append(*log, s) }

// CloseAll defers in the body of a range over a function: the deferred
// calls run when CloseAll returns, in reverse, after the body's and before
// the one deferred at the top.
func CloseAll(names iter.Seq[string], log *[]string) (n int) {
	defer func() { *log = append(*log, "done") }()
	for name := range names {
		defer func() { *log = append(*log, "close "+name) }()
		defer record(log, "deferred "+name)
		n++
	}
	*log = append(*log, "body done")
	return n
}

// Stubborn yields again after yield returned false, which Go forbids.
func Stubborn(yield func(int) bool) {
	yield(1)
	yield(2)
}

// BreakStubborn breaks out of a range over Stubborn: Go panics at its
// second yield.
func BreakStubborn() (got []int) {
	for v := range Stubborn {
		got = append(got, v)
		break
	}
	return got
}

// Keeper yields 1 and keeps its yield function in *saved.
func Keeper(saved *func(int) bool) iter.Seq[int] {
	return func(yield func(int) bool) {
		*saved = yield
		yield(1)
	}
}

// SumKept ranges over Keeper; calling the kept yield afterwards panics.
func SumKept(saved *func(int) bool) int {
	n := 0
	for v := range Keeper(saved) {
		n += v
	}
	return n
}

// Evens returns an iter.Seq.
func Evens(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i += 2 {
			if !yield(i) {
				return
			}
		}
	}
}

// Enumerate returns an iter.Seq2.
func Enumerate(xs []string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for i, x := range xs {
			if !yield(i, x) {
				return
			}
		}
	}
}

// Pred is a named func type of the package.
type Pred func(int) bool

// Above returns a Pred.
func Above(n int) Pred { return func(x int) bool { return x > n } }

// Filter takes a Pred and an iter.Seq and returns an iter.Seq.
func Filter(seq iter.Seq[int], keep Pred) iter.Seq[int] {
	return func(yield func(int) bool) {
		for v := range seq {
			if keep(v) && !yield(v) {
				return
			}
		}
	}
}

// appendTo appends s to *out.
func appendTo(out *[]string, s string) { *out = append(*out, s) }

// counter counts calls of its methods.
type counter struct{ n int }

// add adds d.
func (c *counter) add(d int) { c.n += d }

// DeferArgs defers calls whose operands change after the defer: Go
// evaluates them at the defer statement.
func DeferArgs(xs []string) (out []string) {
	for _, s := range xs {
		defer func() { out = append(out, "literal "+s) }()
		defer appendTo(&out, "argument "+s)
	}
	for i := 0; i < 2; i++ {
		tag := fmt.Sprint("body var ", i)
		defer func() { out = append(out, tag) }()
	}
	x := "before"
	defer appendTo(&out, x)
	x = "after"
	c := &counter{}
	defer func() { out = append(out, fmt.Sprint("counter ", c.n)) }()
	defer c.add(10)
	c = &counter{n: 100}
	c.add(1)
	parts := []string{"spread a", "spread b"}
	defer appendAll(&out, parts...)
	parts = nil
	return nil
}

// appendAll appends ss to *out.
func appendAll(out *[]string, ss ...string) { *out = append(*out, ss...) }

// Cleanup defers a closure it made itself.
func Cleanup() (log []string) {
	cleanup := func() { log = append(log, "cleaned") }
	defer cleanup()
	log = append(log, "working")
	return log
}
