package main

import (
	"fmt"
	"net"
	"net/http"
)

// NewHandler returns the HTTP API of c:
//
//	GET  /     the count, as "count=N"
//	POST /inc  add one step on behalf of the caller's host, then as GET /
func NewHandler(c *Counter) http.Handler {
	a := &api{c: c}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.get)
	mux.HandleFunc("POST /inc", a.inc)
	return mux
}

// api serves the HTTP requests for one Counter. Its handlers are methods, not
// closures, so that each one can be broken in by name and redefined live.
type api struct {
	c *Counter
}

// get writes the count.
func (a *api) get(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "count=%d\n", a.c.Get())
}

// inc adds one step and writes the new count.
func (a *api) inc(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "count=%d\n", a.c.Inc(remoteHost(r)))
}

// remoteHost returns the host part of the request's remote address, or the
// whole address when it has no port.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
