// Package fault holds a function in which the interpreter fails at run
// time (yaegi mistypes a method value of a pointer taken with &s[0]), for
// the test of `livepatch test --repatch`'s handling of interpreter faults.
package fault

// Counter counts.
type Counter struct{ n int }

// Inc adds one and returns the count.
func (c *Counter) Inc() int {
	c.n++
	return c.n
}

// FirstInc increments a counter through a method value of a pointer into a
// slice.
func FirstInc() int {
	s := []Counter{{}}
	p := &s[0]
	mv := p.Inc
	return mv()
}

// Twice doubles x.
func Twice(x int) int { return 2 * x }
