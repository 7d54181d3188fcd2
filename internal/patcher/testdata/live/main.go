// Command live answers each line of standard input by calling functions
// that a test patches while it runs.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
)

// Counter counts.
type Counter struct{ n int }

// Add adds d.
func (c *Counter) Add(d int) int {
	c.n += d
	return c.n
}

func greet(name string) string { return "hello, " + name }

func sum(xs ...int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

func div(a, b int) (int, error) {
	if b == 0 {
		return 0, errors.New("division by zero")
	}
	return a / b, nil
}

func answer(line string, c *Counter) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Printf("recovered %T %v\n", r, r)
		}
	}()
	q, err := div(6, 0)
	fmt.Println(greet(line), c.Add(1), sum(1, 2, 3), q, err)
}

func main() {
	c := &Counter{}
	fmt.Println("ready")
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		answer(sc.Text(), c)
	}
}
