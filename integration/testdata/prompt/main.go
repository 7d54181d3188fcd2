// Prompt is the fixture of the Go prompt tests: locals of several kinds, an
// unexported field, package variables, a multi-value function, and an outer
// frame with locals of its own.
package main

import (
	"fmt"
	"strings"
)

// Counter counts; its count is unexported.
type Counter struct{ n int }

// Inc adds one and returns the new count.
func (c *Counter) Inc() int {
	c.n++
	return c.n
}

func (c *Counter) reset() { c.n = 0 }

// Config is a configuration with exported fields.
type Config struct {
	Limit int
	Name  string
}

var total = 100

func divmod(a, b int) (int, int) { return a / b, a % b }

func shout(s string) string { return strings.ToUpper(s) + "!" }

func work(c *Counter, cfg *Config, x int) int {
	items := []string{"p", "q"}
	m := map[string]int{"k": 1}
	k := 5
	y := x * 2
	fmt.Println("work", y, len(items), len(m)) // stop here
	fmt.Printf("after x=%d c.n=%d limit=%d items=%v m=%v total=%d k=%v\n", x, c.n, cfg.Limit, items, m, total, k)
	return x
}

func main() {
	c := &Counter{}
	cfg := &Config{Limit: 1, Name: "cfg"}
	outer := 6
	outer++
	x := 2
	x++
	r := work(c, cfg, x)
	fmt.Printf("main outer=%d r=%d\n", outer, r)
}
