// Command counter is the fixture of livepatch's agent integration tests. It
// calls a function and value- and pointer-receiver methods directly, through
// interfaces and as method values, and reports the results: one line on
// stdout per line read from stdin, or, with the argument "loop", forever
// through emit, where a debugger can stop it.
package main

import (
	"bufio"
	"fmt"
	"os"
)

type Counter struct{ n int }

func (c *Counter) Inc() int { c.n++; return c.n }

func (c Counter) Label() string { return fmt.Sprintf("count=%d", c.n) }

type Labeler interface{ Label() string }

type Incer interface{ Inc() int }

func greet(name string) string { return "hello " + name }

func sum(xs ...int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

func div(a, b int) (int, error) { return a / b, nil }

// safeDiv turns a panic in div into an error, showing the panic value.
func safeDiv(a, b int) (q int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered %T: %v", r, r)
		}
	}()
	return div(a, b)
}

func report(c *Counter, l Labeler, i Incer, inc func() int, label func() string) string {
	q, err := safeDiv(7, 2)
	return fmt.Sprintf("greet=%s inc=%d iinc=%d mvinc=%d label=%s iface=%s mvlabel=%s sum=%d div=%d,%v",
		greet("x"), c.Inc(), i.Inc(), inc(), c.Label(), l.Label(), label(), sum(2, 3, 4), q, err)
}

// last keeps what emit was given, so that emit has an effect.
var last string

func emit(s string) { last = s }

func main() {
	c := &Counter{}
	var l Labeler = c
	var i Incer = c
	inc := c.Inc
	label := c.Label
	if len(os.Args) > 1 && os.Args[1] == "loop" {
		for {
			emit(report(c, l, i, inc, label))
		}
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "quit" {
			return
		}
		fmt.Println(report(c, l, i, inc, label))
	}
}
