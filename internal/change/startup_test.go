package change

import (
	"context"
	"slices"
	"testing"
)

// startupSrc is a main package with a call of each kind the start-up rule
// tells apart.
const startupSrc = `package main

import "net/http"

type server struct{ n int }

func (s *server) routes() { s.n++ }            // from main, once: start-up
func (s *server) ServeHTTP(http.ResponseWriter, *http.Request) {} // an interface's method name
func register()         { helper() }        // from main, once: start-up
func helper()           {}                  // from register only: start-up
func fromInit()         {}                  // from init: start-up
func fromVar() int      { return 1 }        // from a package variable: start-up
func perTick()          {}                  // in main's loop
func handler(http.ResponseWriter, *http.Request) {} // taken as a value
func inGoroutine()      {}                  // in a function literal
func loop()             { for { perTick() } } // started once with go: start-up
func uncalled()         {}                  // no call at all
func twice()            { twice() }         // only calls itself
func accept()           {}                  // from main and from perTick's caller loop

var v = fromVar()

func init() { fromInit() }

func main() {
	s := &server{}
	s.routes()
	s.ServeHTTP(nil, nil)
	register()
	http.HandleFunc("/", handler)
	go func() { inGoroutine() }()
	go loop()
	twice()
	accept()
	for i := 0; i < 3; i++ {
		perTick()
		accept()
	}
}
`

// TestStartupOnly checks the start-up rule on each kind of call.
func TestStartupOnly(t *testing.T) {
	k, _ := packageChecker(t, map[string]string{"main.go": startupSrc})
	keys := []string{"routes", "ServeHTTP", "register", "helper", "fromInit", "fromVar", "perTick", "handler",
		"inGoroutine", "loop", "uncalled", "twice", "accept", "main"}
	for i, name := range keys {
		switch name {
		case "routes", "ServeHTTP":
			keys[i] = "example.com/p.(*server)." + name
		default:
			keys[i] = "example.com/p." + name
		}
	}
	got := k.Build().StartupOnly(context.Background(), keys)
	want := []string{"example.com/p.(*server).routes", "example.com/p.register", "example.com/p.helper",
		"example.com/p.fromInit", "example.com/p.fromVar", "example.com/p.loop"}
	for _, key := range keys {
		if got[key] != slices.Contains(want, key) {
			t.Errorf("StartupOnly(%s) = %v, want %v", key, got[key], !got[key])
		}
	}
}
