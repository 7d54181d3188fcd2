// Livepatch is the fixture of the live patching tests: a counter whose
// method is called directly, through an interface and as a method value,
// reported in a paced loop through report, where a breakpoint can stop it.
package main

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

type Counter struct {
	n int
}

func (c *Counter) Inc() int {
	c.n++
	return c.n
}

func greet(name string) string {
	return "hello " + name
}

type Incer interface{ Inc() int }

func line(c *Counter) string {
	var i Incer = c
	mv := c.Inc
	a := c.Inc()
	b := i.Inc()
	d := mv()
	return fmt.Sprintf("%s %d %d %d", title(), a, b, d)
}

func title() string {
	return greet("x")
}

func report(s string) {
	fmt.Println(s) // report here
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "load" {
		load()
		return
	}
	c := &Counter{}
	for {
		report(line(c))
		time.Sleep(20 * time.Millisecond)
	}
}

// The declarations below are here for the classification tests: each
// kind of edit that needs a restart.

const step = 1

var start = 0

var ready bool

func init() { ready = step > start }

func first[T any](xs []T) T { return xs[0] }

var _ = first([]int{step})

// value is patched and reverted under load.
func value() int { return 1 }

// load calls value from 8 goroutines without pause and reports every call
// that returns neither 1 nor 2, and every tenth of a second how many
// calls were made.
func load() {
	var calls atomic.Int64
	for g := 0; g < 8; g++ {
		go func() {
			for {
				if v := value(); v != 1 && v != 2 {
					fmt.Println("BAD", v)
				}
				calls.Add(1)
			}
		}()
	}
	for {
		time.Sleep(100 * time.Millisecond)
		fmt.Println("calls", calls.Load())
	}
}

// peek is an unexported method, which the interpreter reaches through the
// builder's accessor.
func (c *Counter) peek() int { return c.n }

// word is read by wordOf only: a save may change both together.
const word = "hello"

func wordOf() string { return word }
