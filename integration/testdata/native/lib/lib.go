// Package lib is what the native tier's tests patch: a method reaching an
// unexported field and an unexported function, and a function called
// from many goroutines.
package lib

// Counter counts by step.
type Counter struct {
	n int
}

// Inc adds one step.
func (c *Counter) Inc() int {
	c.n += step()
	return c.n
}

func step() int { return 1 }

// Value is patched and reverted under load.
func Value() int { return 1 }
