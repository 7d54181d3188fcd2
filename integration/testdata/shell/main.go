// Shell is the fixture of the prompt while the program runs: a loop that
// prints a tick with a package variable, the count of a method's calls
// and a step, every 20 ms, for as long as it runs.
package main

import (
	"fmt"
	"time"
)

// label is printed with every tick; the tests write it at the prompt.
var label = "a"

// ticks counts the ticks so far.
var ticks int

// Counter counts by one.
type Counter struct{ n int }

// Inc adds one and returns the count.
func (c *Counter) Inc() int {
	c.n++
	return c.n
}

var counter = &Counter{}

func tick() string {
	ticks++
	return fmt.Sprintf("tick %d %s %d", ticks, label, counter.Inc())
}

func main() {
	for {
		fmt.Println(tick())
		time.Sleep(20 * time.Millisecond)
	}
}
