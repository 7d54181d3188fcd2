// Livefields is the fixture of the live patching tests of struct field
// changes: a counter, made before any change and reached through a
// pointer, ticks in a paced loop and reports where a breakpoint can stop
// it.
package main

import (
	"fmt"
	"time"
)

type counter struct {
	name string
	n    int
	old  string
}

func (c *counter) tick() string {
	c.n++
	return fmt.Sprint(c.name, " ", c.n)
}

func label(c *counter) string { return "<" + c.old + ">" }

func report(c *counter, s string) {
	fmt.Println(s) // report here
}

func main() {
	c := &counter{name: "c"}
	for {
		report(c, c.tick()+" "+label(c))
		time.Sleep(20 * time.Millisecond)
	}
}
