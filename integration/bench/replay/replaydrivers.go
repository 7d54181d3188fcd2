package replay

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// writeDriver writes m.main, the program the replay runs for a library
// published without one, as main.go of the package m.pkg in work; it does
// nothing for a module that has its own program.
func writeDriver(m Module, work string) error {
	if m.main == "" {
		return nil
	}
	dir := filepath.Join(work, filepath.FromSlash(m.pkg))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.go"), []byte(m.main), 0o644)
}

// driverPkg is where the replay writes a driver: a directory no published
// version has.
const driverPkg = "./livepatchreplay"

// corsDriver is the program the replay runs for rs/cors, whose versions
// after v1.8.0 have no example: an HTTP server whose paths each go
// through another configuration of the middleware (an origin list with a
// wildcard and credentials, cors.Default, cors.AllowAll, a preflight
// passed through, an origin function) and its three ways in (Handler,
// HandlerFunc, ServeHTTP). It uses only the API of v1.5.0, which every
// later version keeps, and the language of go.mod files without a go line.
const corsDriver = `// Command livepatchreplay serves rs/cors for livepatch's replay benchmark.
package main

import (
	"flag"
	"log"
	"net/http"
	"strings"

	"github.com/rs/cors"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{\"hello\": \"world\", \"method\": \"" + r.Method + "\"}\n"))
	})
	strict := cors.New(cors.Options{
		AllowedOrigins:   []string{"http://foo.com", "https://*.example.com"},
		AllowedMethods:   []string{"GET", "POST", "DELETE"},
		AllowedHeaders:   []string{"X-Token", "Content-Type"},
		ExposedHeaders:   []string{"X-Total", "X-Page"},
		AllowCredentials: true,
		MaxAge:           600,
	})
	passthrough := cors.New(cors.Options{
		AllowedOrigins:     []string{"*"},
		AllowedMethods:     []string{"PUT"},
		OptionsPassthrough: true,
	})
	byFunc := cors.New(cors.Options{
		AllowOriginFunc: func(origin string) bool { return strings.HasSuffix(origin, ".test") },
		AllowedHeaders:  []string{"*"},
	})
	mux := http.NewServeMux()
	mux.Handle("/strict/", strict.Handler(hello))
	mux.Handle("/default/", cors.Default().Handler(hello))
	mux.Handle("/all/", cors.AllowAll().Handler(hello))
	mux.Handle("/passthrough/", passthrough.Handler(hello))
	mux.Handle("/func/", byFunc.Handler(hello))
	mux.HandleFunc("/handlerfunc/", func(w http.ResponseWriter, r *http.Request) {
		strict.HandlerFunc(w, r)
		hello(w, r)
	})
	mux.HandleFunc("/negroni/", func(w http.ResponseWriter, r *http.Request) {
		strict.ServeHTTP(w, r, hello)
	})
	log.Fatal(http.ListenAndServe(*addr, mux))
}
`

// corsHeaders are the response headers of CORS, which cors's probe
// compares besides httpHeaders.
var corsHeaders = []string{"Access-Control-Allow-Headers", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers",
	"Access-Control-Max-Age", "Access-Control-Allow-Private-Network", "Vary"}

// corsProbes are the requests of cors's probe: to each configuration of
// corsDriver, plain requests and preflights from allowed and refused
// origins, with allowed and refused methods and headers, and the edge
// cases versions of rs/cors answer differently (letter case, spaces in
// the header list, the list on two lines, a wildcard origin, "null", a
// preflight without its method). The query only tells the requests apart in the report.
var corsProbes = []httpProbe{
	{method: "GET", path: "/strict/?plain"},
	{method: "GET", path: "/strict/?foo", header: []string{"Origin", "http://foo.com"}},
	{method: "GET", path: "/strict/?bar", header: []string{"Origin", "http://bar.com"}},
	{method: "GET", path: "/strict/?wildcard", header: []string{"Origin", "https://a.example.com"}},
	{method: "GET", path: "/strict/?wildcard-bare", header: []string{"Origin", "https://example.com"}},
	{method: "GET", path: "/strict/?upper", header: []string{"Origin", "HTTP://FOO.COM"}},
	{method: "GET", path: "/strict/?null", header: []string{"Origin", "null"}},
	{method: "POST", path: "/strict/?post", header: []string{"Origin", "http://foo.com"}},
	{method: "PUT", path: "/strict/?put", header: []string{"Origin", "http://foo.com"}},
	{method: "OPTIONS", path: "/strict/?pre-post", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "POST"}},
	{method: "OPTIONS", path: "/strict/?pre-put", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "PUT"}},
	{method: "OPTIONS", path: "/strict/?pre-lower", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "post"}},
	{method: "OPTIONS", path: "/strict/?pre-headers", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "X-Token, Content-Type"}},
	{method: "OPTIONS", path: "/strict/?pre-headers-tight", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "content-type,x-token"}},
	{method: "OPTIONS", path: "/strict/?pre-headers-two-lines", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "X-Token", "Access-Control-Request-Headers", "Content-Type"}},
	{method: "OPTIONS", path: "/strict/?pre-headers-refused", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "X-Other"}},
	{method: "OPTIONS", path: "/strict/?pre-origin-refused", header: []string{"Origin", "http://bar.com", "Access-Control-Request-Method", "GET"}},
	{method: "OPTIONS", path: "/strict/?pre-wildcard", header: []string{"Origin", "https://b.example.com", "Access-Control-Request-Method", "DELETE"}},
	{method: "OPTIONS", path: "/strict/?options", header: []string{"Origin", "http://foo.com"}},
	{method: "OPTIONS", path: "/strict/?options-plain"},
	{method: "OPTIONS", path: "/strict/?pre-private", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Private-Network", "true"}},
	{method: "GET", path: "/default/?foo", header: []string{"Origin", "http://foo.com"}},
	{method: "OPTIONS", path: "/default/?pre", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "X-Requested-With"}},
	{method: "OPTIONS", path: "/default/?pre-delete", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "DELETE"}},
	{method: "GET", path: "/all/?foo", header: []string{"Origin", "http://foo.com"}},
	{method: "OPTIONS", path: "/all/?pre", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "PATCH",
		"Access-Control-Request-Headers", "X-Anything, X-Else"}},
	{method: "OPTIONS", path: "/passthrough/?pre", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "PUT"}},
	{method: "OPTIONS", path: "/passthrough/?pre-refused", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "GET"}},
	{method: "GET", path: "/func/?test", header: []string{"Origin", "http://a.test"}},
	{method: "GET", path: "/func/?other", header: []string{"Origin", "http://a.example"}},
	{method: "OPTIONS", path: "/func/?pre", header: []string{"Origin", "http://a.test", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "X-Whatever"}},
	{method: "GET", path: "/handlerfunc/?foo", header: []string{"Origin", "http://foo.com"}},
	{method: "OPTIONS", path: "/handlerfunc/?pre", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "POST"}},
	{method: "GET", path: "/negroni/?foo", header: []string{"Origin", "http://foo.com"}},
	{method: "OPTIONS", path: "/negroni/?pre", header: []string{"Origin", "http://foo.com", "Access-Control-Request-Method", "POST"}},
}

// httprateDriver is the program the replay runs for go-chi/httprate,
// whose example needs a router its go.mod does not require: an HTTP
// server whose paths each go through another limiter, every one keyed by
// the X-Key header first, so that each probe counts from zero (see
// httprateProber). It uses only the API of v0.5.1, which every later
// version keeps.
const httprateDriver = `// Command livepatchreplay serves go-chi/httprate for livepatch's replay benchmark.
package main

import (
	"errors"
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/go-chi/httprate"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello " + r.Method + " " + r.URL.Path + "\n"))
	})
	byKey := func(r *http.Request) (string, error) { return r.Header.Get("X-Key"), nil }
	orFail := func(r *http.Request) (string, error) {
		if r.Header.Get("X-Fail") != "" {
			return "", errors.New("no key for this request")
		}
		return r.Header.Get("X-Key"), nil
	}
	teapot := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte("slow down\n"))
	}
	mux := http.NewServeMux()
	mux.Handle("/limit/", httprate.Limit(3, time.Hour, httprate.WithKeyFuncs(byKey, httprate.KeyByEndpoint))(hello))
	mux.Handle("/ip/", httprate.Limit(2, time.Hour, httprate.WithKeyFuncs(byKey, httprate.KeyByIP))(hello))
	mux.Handle("/custom/", httprate.Limit(1, time.Hour, httprate.WithKeyFuncs(byKey), httprate.WithLimitHandler(teapot))(hello))
	mux.Handle("/fail/", httprate.Limit(2, time.Hour, httprate.WithKeyFuncs(orFail))(hello))
	log.Fatal(http.ListenAndServe(*addr, mux))
}
`

// httprateHeaders are the response headers of a rate limiter that
// httprate's probe compares besides httpHeaders (not X-Ratelimit-Reset
// nor Retry-After, which tell the time).
var httprateHeaders = []string{"X-Ratelimit-Limit", "X-Ratelimit-Remaining"}

// httprateProbes are the requests of httprate's probe, in order: each
// limiter of httprateDriver to its limit and past it, the client's
// address given by headers (which versions of KeyByIP trust or not), and
// a key function that fails. RUN in a header value becomes a key of the
// probe's own. The query only tells the requests apart in the report.
var httprateProbes = []httpProbe{
	{method: "GET", path: "/limit/a?1", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/limit/a?2", header: []string{"X-Key", "RUN"}},
	{method: "POST", path: "/limit/a?3", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/limit/b?1", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/limit/a?4", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/limit/a?5", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/ip/?1", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/ip/?forwarded", header: []string{"X-Key", "RUN", "X-Forwarded-For", "203.0.113.7"}},
	{method: "GET", path: "/ip/?real-ip", header: []string{"X-Key", "RUN", "X-Real-IP", "203.0.113.8"}},
	{method: "GET", path: "/ip/?true-client", header: []string{"X-Key", "RUN", "True-Client-IP", "203.0.113.9"}},
	{method: "GET", path: "/ip/?2", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/ip/?3", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/custom/?1", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/custom/?2", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/fail/?1", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/fail/?failing", header: []string{"X-Key", "RUN", "X-Fail", "yes"}},
	{method: "GET", path: "/fail/?2", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/fail/?3", header: []string{"X-Key", "RUN"}},
	{method: "GET", path: "/nothing"},
}

// httprateProber probes with httprateProbes, RUN in their headers
// replaced by a key no probe before used: the limiters keep their counts
// between probes of one program, and each probe is to start from zero.
func httprateProber(ctx context.Context, port int) ([]exchange, error) {
	run := fmt.Sprintf("run-%d-%d", port, time.Now().UnixNano())
	probes := make([]httpProbe, len(httprateProbes))
	for i, p := range httprateProbes {
		p.header = slices.Clone(p.header)
		for j := range p.header {
			p.header[j] = strings.ReplaceAll(p.header[j], "RUN", run)
		}
		probes[i] = p
	}
	return probeHTTP(ctx, port, probes, append(slices.Clip(httpHeaders), httprateHeaders...))
}
