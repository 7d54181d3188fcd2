// Hello is the fixture most integration tests debug: a counter with state,
// methods on a pointer and a value receiver, and output on every step.
package main

import (
	"fmt"
	"os"
	"strings"
)

// Counter counts steps.
type Counter struct {
	name string
	n    int
}

// Inc adds one and returns the new count.
func (c *Counter) Inc() int {
	c.n++
	return c.n
}

// Label describes the counter.
func (c Counter) Label() string {
	return fmt.Sprintf("%s=%d", c.name, c.n)
}

func greet(who string) string {
	msg := "hello, " + who
	return strings.ToUpper(msg[:1]) + msg[1:]
}

func main() {
	steps := 3
	if len(os.Args) > 1 {
		fmt.Sscan(os.Args[1], &steps)
	}
	c := &Counter{name: "hits"}
	for i := 0; i < steps; i++ {
		v := c.Inc()
		fmt.Println(greet("world"), v, c.Label())
	}
	fmt.Println("done")
}
