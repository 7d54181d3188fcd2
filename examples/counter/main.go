// Command counter is a small HTTP service to try livepatch on.
//
// It keeps a Counter, serves it over HTTP on a loopback address, and bumps
// it once a second from a background loop that prints a line each time:
//
//	go run ./cmd/livepatch debug ./examples/counter
//	curl -X POST http://127.0.0.1:8080/inc   # add one step, print the count
//	curl http://127.0.0.1:8080/              # print the count
//
// Things to try under the debugger: break in Counter.Inc and look at c,
// print c.n, step into Counter.step; later, redefine Counter.step to return
// 10 and watch the ticker lines change without a restart.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on (host:port)")
	every := flag.Duration("tick", time.Second, "interval of the background loop")
	flag.Parse()

	c := NewCounter()
	go tickLoop(c, *every)

	// Listen first so that -addr 127.0.0.1:0 works and the real port is shown.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("counter: %v", err)
	}
	fmt.Fprintf(os.Stderr, "counter: listening on http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, NewHandler(c)))
}

// tickLoop calls c.Tick every interval and prints the line it returns. It
// runs until the program exits.
func tickLoop(c *Counter, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for now := range t.C {
		fmt.Printf("%s %s\n", now.Format(time.TimeOnly), c.Tick())
	}
}
