// Livenotes is the fixture of the notes about patched functions that a
// patch does not reach at once: register runs once, at start-up; serve is
// an accept-like loop, running in its goroutine for good; line runs once
// per tick.
package main

import (
	"fmt"
	"time"
)

var routes []string

// register runs once, from main, before the program's long-running part.
func register() {
	routes = append(routes, "/v1")
}

// serve takes ticks as an accept loop takes connections.
func serve(ticks <-chan int) {
	for n := range ticks {
		handle(n)
	}
}

func handle(n int) {
	fmt.Println(line(n)) // report here
}

// line is called once per tick.
func line(n int) string {
	return fmt.Sprintf("tick %d routes %v", n, routes)
}

func main() {
	register()
	ticks := make(chan int)
	go serve(ticks)
	for n := 0; ; n++ {
		ticks <- n
		time.Sleep(50 * time.Millisecond)
	}
}
