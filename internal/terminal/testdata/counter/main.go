// Command counter counts with a method on a struct and prints each count.
// Its argument is the number of counts; 0 counts until killed.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

type Counter struct{ n int }

func (c *Counter) Inc(by int) int {
	c.n += by
	return c.n
}

func main() {
	limit := 3
	if len(os.Args) > 1 {
		limit, _ = strconv.Atoi(os.Args[1])
	}
	c := &Counter{}
	for i := 0; limit == 0 || i < limit; i++ {
		x := c.Inc(1)
		fmt.Println("count", x)
		if limit == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	os.Exit(3)
}

// ended is sent to by a goroutine that ends at once: a stop in it leaves
// the terminal's selected goroutine gone once the program runs on.
var ended = make(chan bool, 1)

func init() {
	go func() {
		ended <- true
	}()
}
