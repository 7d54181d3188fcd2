// Native is the fixture of the native tier's tests: it prints a counter
// in a paced loop, or with the argument "load" calls lib.Value from 8
// goroutines without pause and reports every call that returns neither 1
// nor 2.
package main

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"example.com/native/lib"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "load" {
		load()
		return
	}
	c := &lib.Counter{}
	prev := 0
	for {
		n := c.Inc()
		fmt.Printf("count %d step %d\n", n, n-prev)
		prev = n
		time.Sleep(20 * time.Millisecond)
	}
}

func load() {
	var calls atomic.Int64
	for g := 0; g < 8; g++ {
		go func() {
			for {
				if v := lib.Value(); v != 1 && v != 2 {
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
