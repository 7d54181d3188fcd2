package replay

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Module is a published module whose successive versions the replay
// part applies, as saves, to its program while it runs. Only its name and
// versions are pinned here: the go command downloads the code from the
// module proxy, and no copy of it is kept in this repository.
type Module struct {
	name     string   // for the report and -modules
	path     string   // module path
	versions []string // successive published versions, oldest first
	pkg      string   // the main package, relative to the module's root
	args     func(port int) []string
	port     int    // the port the program always listens on, when args cannot choose one; 0: any free port
	main     string // a library published without a program: the source of the main package the replay writes at pkg (see writeDriver); "": the module's own
	probe    prober
	doc      string // what runs and how it is probed, for the report
}

// prober sends a fixed set of requests to the program listening on port
// and returns each request with its response, normalized so that two runs
// of the same program on different ports answer alike.
type prober func(ctx context.Context, port int) ([]exchange, error)

// exchange is one probe request and the program's response.
type exchange struct {
	Request  string `json:"request"`
	Response string `json:"response"`
}

// replayModules are the modules of the replay part: long-lived servers
// with no or few dependencies, whose consecutive versions change their
// code in small steps.
var replayModules = []Module{
	{
		name: "httpbin", path: "github.com/mccutchen/go-httpbin/v2",
		versions: []string{"v2.18.0", "v2.18.1", "v2.18.2", "v2.19.0", "v2.20.0", "v2.21.0", "v2.22.0",
			"v2.22.1", "v2.23.0", "v2.23.1", "v2.24.0", "v2.25.0", "v2.26.0"},
		pkg:   "./cmd/go-httpbin",
		args:  func(port int) []string { return []string{"-host", "127.0.0.1", "-port", strconv.Itoa(port)} },
		probe: httpProber(httpProbes),
		doc:   "HTTP server (cmd/go-httpbin); probe: " + strconv.Itoa(len(httpProbes)) + " HTTP requests",
	},
	{
		name: "smtp", path: "github.com/emersion/go-smtp",
		versions: []string{"v0.18.0", "v0.18.1", "v0.19.0", "v0.20.0", "v0.20.1", "v0.20.2", "v0.21.0",
			"v0.21.1", "v0.21.2", "v0.21.3", "v0.22.0", "v0.23.0", "v0.24.0", "v0.25.0", "v0.25.1", "v0.26.0"},
		pkg:   "./cmd/smtp-debug-server",
		args:  func(port int) []string { return []string{"-l", "127.0.0.1:" + strconv.Itoa(port)} },
		probe: probeSMTP,
		doc:   "SMTP server (cmd/smtp-debug-server); probe: an SMTP session of " + strconv.Itoa(len(smtpProbes)) + " commands",
	},
	{
		name: "chi", path: "github.com/go-chi/chi/v5",
		versions: []string{"v5.0.0", "v5.0.1", "v5.0.2", "v5.0.7", "v5.0.8", "v5.0.10", "v5.0.11", "v5.0.12", "v5.1.0", "v5.2.0",
			"v5.2.1", "v5.2.2", "v5.2.3", "v5.2.4", "v5.2.5", "v5.3.0", "v5.3.1", "v5.3.2", "v5.4.0", "v5.5.0"},
		pkg:   "./_examples/todos-resource",
		args:  func(int) []string { return nil },
		port:  3333, // the example's own: it takes no flags
		probe: httpProber(chiProbes),
		doc:   "HTTP router and middleware (_examples/todos-resource, on :3333); probe: " + strconv.Itoa(len(chiProbes)) + " HTTP requests",
	},
	{
		name: "websocket", path: "github.com/gorilla/websocket",
		versions: []string{"v1.4.0", "v1.4.1", "v1.4.2", "v1.5.0", "v1.5.1", "v1.5.3"},
		pkg:      "./examples/chat",
		args:     func(port int) []string { return []string{"-addr", "127.0.0.1:" + strconv.Itoa(port)} },
		probe:    httpProber(websocketProbes),
		doc:      "WebSocket library (examples/chat); probe: " + strconv.Itoa(len(websocketProbes)) + " HTTP requests, the handshakes the upgrader refuses",
	},
	{
		name: "cors", path: "github.com/rs/cors",
		versions: []string{"v1.5.0", "v1.6.0", "v1.7.0", "v1.8.0", "v1.8.2", "v1.8.3", "v1.9.0", "v1.10.1", "v1.11.0", "v1.11.1"},
		pkg:      driverPkg,
		main:     corsDriver,
		args:     func(port int) []string { return []string{"-addr", "127.0.0.1:" + strconv.Itoa(port)} },
		probe:    httpProberOf(corsProbes, append(slices.Clip(httpHeaders), corsHeaders...)),
		doc:      "CORS middleware (a server the replay writes, " + driverPkg + ", seven configurations); probe: " + strconv.Itoa(len(corsProbes)) + " HTTP requests, preflights and plain ones from several origins",
	},
	{
		name: "httprate", path: "github.com/go-chi/httprate",
		versions: []string{"v0.5.1", "v0.5.2", "v0.7.0", "v0.7.1", "v0.7.4", "v0.8.0", "v0.9.0", "v0.10.0", "v0.12.1", "v0.14.1",
			"v0.15.0", "v0.16.0", "v0.16.1"},
		pkg:   driverPkg,
		main:  httprateDriver,
		args:  func(port int) []string { return []string{"-addr", "127.0.0.1:" + strconv.Itoa(port)} },
		probe: httprateProber,
		doc:   "HTTP rate limiter (a server the replay writes, " + driverPkg + ", four limiters); probe: " + strconv.Itoa(len(httprateProbes)) + " HTTP requests, each limiter to its limit and past it",
	},
}

// websocketProbes are the requests of websocket's probe: the chat
// example's pages and the handshakes its Upgrader refuses, each for
// another reason (a handshake it accepts would hold the connection).
var websocketProbes = []httpProbe{
	{method: "GET", path: "/"},
	{method: "GET", path: "/nothing"},
	{method: "POST", path: "/"},
	{method: "GET", path: "/ws"},
	{method: "POST", path: "/ws", header: []string{"Connection", "Upgrade", "Upgrade", "websocket"}},
	{method: "GET", path: "/ws", header: []string{"Connection", "Upgrade", "Upgrade", "websocket"}},
	{method: "GET", path: "/ws", header: []string{"Connection", "keep-alive, Upgrade", "Upgrade", "WebSocket", "Sec-WebSocket-Version", "12"}},
	{method: "GET", path: "/ws", header: []string{"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13"}},
	{method: "GET", path: "/ws", header: []string{"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "short"}},
	{method: "GET", path: "/ws", header: []string{"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13",
		"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Origin", "http://elsewhere.example"}},
	{method: "GET", path: "/ws", header: []string{"Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}},
}

// Find returns the module of replayModules named name.
func Find(name string) (Module, bool) {
	i := slices.IndexFunc(replayModules, func(m Module) bool { return m.name == name })
	if i < 0 {
		return Module{}, false
	}
	return replayModules[i], true
}

// Names returns the names of replayModules.
func Names() []string {
	var names []string
	for _, m := range replayModules {
		names = append(names, m.name)
	}
	return names
}

// httpProbe is one request of the HTTP probe.
type httpProbe struct {
	method, path, body string
	header             []string // name, value, ...: a name given twice is sent twice
}

// httpProbes are the HTTP probe's requests: go-httpbin's endpoints with
// answers that do not depend on time or chance (those that do are found
// and left out at every pair: see stableExchanges).
var httpProbes = []httpProbe{
	{method: "GET", path: "/"},
	{method: "GET", path: "/get?a=1&b=2"},
	{method: "GET", path: "/headers", header: []string{"X-Replay", "yes"}},
	{method: "GET", path: "/ip"},
	{method: "GET", path: "/user-agent"},
	{method: "GET", path: "/status/200"},
	{method: "GET", path: "/status/418"},
	{method: "GET", path: "/status/500"},
	{method: "GET", path: "/status/307"},
	{method: "GET", path: "/json"},
	{method: "GET", path: "/html"},
	{method: "GET", path: "/xml"},
	{method: "GET", path: "/robots.txt"},
	{method: "GET", path: "/deny"},
	{method: "GET", path: "/base64/aGVsbG8gcmVwbGF5"},
	{method: "GET", path: "/base64/encode/replay"},
	{method: "GET", path: "/encoding/utf8"},
	{method: "GET", path: "/bytes/16?seed=7"},
	{method: "GET", path: "/range/32?seed=7", header: []string{"Range", "bytes=4-9"}},
	{method: "GET", path: "/stream/3"},
	{method: "GET", path: "/stream-bytes/32?seed=7&chunk_size=8"},
	{method: "GET", path: "/links/4/1"},
	{method: "GET", path: "/cookies", header: []string{"Cookie", "a=1; b=2"}},
	{method: "GET", path: "/cookies/set?k=v"},
	{method: "GET", path: "/cookies/delete?k"},
	{method: "GET", path: "/basic-auth/user/pass", header: []string{"Authorization", "Basic dXNlcjpwYXNz"}},
	{method: "GET", path: "/basic-auth/user/pass"},
	{method: "GET", path: "/hidden-basic-auth/user/pass"},
	{method: "GET", path: "/bearer", header: []string{"Authorization", "Bearer token"}},
	{method: "GET", path: "/bearer"},
	{method: "GET", path: "/redirect/2"},
	{method: "GET", path: "/relative-redirect/2"},
	{method: "GET", path: "/absolute-redirect/2"},
	{method: "GET", path: "/redirect-to?url=/get&status_code=302"},
	{method: "GET", path: "/response-headers?X-A=b&X-C=d"},
	{method: "GET", path: "/etag/abc", header: []string{"If-None-Match", `"abc"`}},
	{method: "GET", path: "/cache", header: []string{"If-Modified-Since", "Mon, 02 Jan 2006 15:04:05 GMT"}},
	{method: "GET", path: "/cache/60"},
	{method: "GET", path: "/delay/0"},
	{method: "GET", path: "/drip?duration=0&numbytes=4&delay=0&code=200"},
	{method: "GET", path: "/gzip", header: []string{"Accept-Encoding", "identity"}},
	{method: "GET", path: "/forms/post"},
	{method: "GET", path: "/image/png"},
	{method: "GET", path: "/image", header: []string{"Accept", "image/webp"}},
	{method: "GET", path: "/anything/x?y=z"},
	{method: "POST", path: "/post", body: `{"a":1}`, header: []string{"Content-Type", "application/json"}},
	{method: "POST", path: "/post", body: "a=1&b=2", header: []string{"Content-Type", "application/x-www-form-urlencoded"}},
	{method: "PUT", path: "/put", body: "replay"},
	{method: "PATCH", path: "/patch", body: "replay"},
	{method: "DELETE", path: "/delete"},
	{method: "POST", path: "/get"},
	{method: "HEAD", path: "/head"},
	{method: "OPTIONS", path: "/get", header: []string{"Origin", "http://example.com"}},
	{method: "GET", path: "/trailers?X-T=1"},
	{method: "GET", path: "/sse?count=2&duration=0&delay=0"},
	{method: "GET", path: "/jsonl"},
	{method: "GET", path: "/dump/request"},
	{method: "GET", path: "/websocket/echo"},
	{method: "GET", path: "/unstable?failure_rate=0"},
	{method: "GET", path: "/env"},
	{method: "GET", path: "/no/such/endpoint"},
}

// httpHeaders are the response headers the HTTP probe compares (Date and
// Last-Modified change with time).
var httpHeaders = []string{"Content-Type", "Content-Length", "Location", "Content-Encoding", "Etag", "Cache-Control",
	"Set-Cookie", "Www-Authenticate", "Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Allow", "Trailer"}

// chiProbes are the requests of chi's probe: the routes of its
// todos-resource example (two mounted subrouters with a URL parameter),
// with the paths, methods and headers its router and middleware
// (RequestID, RealIP, Logger, Recoverer) treat as edge cases.
var chiProbes = []httpProbe{
	{method: "GET", path: "/"},
	{method: "GET", path: "/users"},
	{method: "GET", path: "/users/"},
	{method: "POST", path: "/users", body: "x"},
	{method: "PUT", path: "/users"},
	{method: "GET", path: "/users/7"},
	{method: "PUT", path: "/users/7"},
	{method: "DELETE", path: "/users/7"},
	{method: "GET", path: "/users/7/"},
	{method: "GET", path: "/users/7/sync"},
	{method: "GET", path: "/todos"},
	{method: "POST", path: "/todos"},
	{method: "GET", path: "/todos/42"},
	{method: "DELETE", path: "/todos/42"},
	{method: "GET", path: "/todos/42/sync"},
	{method: "GET", path: "/todos/42/sync/"},
	{method: "GET", path: "/todos/a%2Fb/sync"},
	{method: "GET", path: "/todos/%E2%9C%93"},
	{method: "GET", path: "/todos?x=1"},
	{method: "PATCH", path: "/todos"},
	{method: "PATCH", path: "/todos/42"},
	{method: "POST", path: "/"},
	{method: "HEAD", path: "/"},
	{method: "OPTIONS", path: "/users"},
	{method: "CONNECT", path: "/"},
	{method: "PURGE", path: "/users"},
	{method: "GET", path: "//users"},
	{method: "GET", path: "/Users"},
	{method: "GET", path: "/nothing/here"},
	{method: "GET", path: "/", header: []string{"X-Forwarded-For", "203.0.113.7, 10.0.0.1"}},
	{method: "GET", path: "/users", header: []string{"X-Real-IP", "203.0.113.8", "True-Client-IP", "203.0.113.9"}},
	{method: "GET", path: "/todos/42", header: []string{"X-Request-Id", "replay-1"}},
}

// httpProber returns a prober that sends probes to 127.0.0.1:port,
// following no redirects, and compares the headers httpHeaders.
func httpProber(probes []httpProbe) prober {
	return httpProberOf(probes, httpHeaders)
}

// httpProberOf returns a prober that sends probes to 127.0.0.1:port,
// following no redirects, and compares the response headers headers.
func httpProberOf(probes []httpProbe, headers []string) prober {
	return func(ctx context.Context, port int) ([]exchange, error) { return probeHTTP(ctx, port, probes, headers) }
}

// probeHTTP sends probes to 127.0.0.1:port, following no redirects, and
// records of each response the headers headers.
func probeHTTP(ctx context.Context, port int, probes []httpProbe, headers []string) ([]exchange, error) {
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{DisableKeepAlives: true, DisableCompression: true},
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	var out []exchange
	for _, p := range probes {
		req, err := http.NewRequestWithContext(ctx, p.method, base+p.path, strings.NewReader(p.body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("User-Agent", "livepatch-replay")
		for i := 0; i+1 < len(p.header); i += 2 {
			req.Header.Add(p.header[i], p.header[i+1]) // a name given twice sends two lines
		}
		out = append(out, exchange{Request: p.method + " " + p.path, Response: httpResponse(client, req, port, headers)})
	}
	return out, nil
}

// httpResponse is the normalized response to req: status, the headers
// headers and the body, with the server's port replaced by PORT; or the
// error.
func httpResponse(client *http.Client, req *http.Request, port int, headers []string) string {
	resp, err := client.Do(req)
	if err != nil {
		return "error: " + strings.ReplaceAll(err.Error(), "127.0.0.1:"+strconv.Itoa(port), "127.0.0.1:PORT")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err == nil {
		body, err = decoded(resp.Header.Get("Content-Encoding"), body)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", resp.StatusCode)
	for _, h := range headers {
		if h == "Content-Length" && resp.Header.Get("Content-Encoding") != "" {
			continue // of the compressed body, whose size varies with the port's digits
		}
		if v := resp.Header.Values(h); len(v) > 0 {
			if h == "Allow" {
				v = sortedList(v) // chi lists a route's methods in map order
			}
			fmt.Fprintf(&b, "%s: %s\n", h, strings.Join(v, ", "))
		}
	}
	b.WriteString("\n")
	b.Write(body)
	if err != nil {
		b.WriteString("\nerror: " + err.Error())
	}
	norm := strings.ReplaceAll(b.String(), "127.0.0.1:"+strconv.Itoa(port), "127.0.0.1:PORT")
	norm = clientAddrRE.ReplaceAllString(norm, "127.0.0.1:CLIENT")
	return httpDateRE.ReplaceAllString(norm, "DATE")
}

// sortedList returns the comma-separated items of the header values vs,
// sorted: a set whose order means nothing.
func sortedList(vs []string) []string {
	var items []string
	for _, v := range vs {
		for item := range strings.SplitSeq(v, ",") {
			items = append(items, strings.TrimSpace(item))
		}
	}
	slices.Sort(items)
	return items
}

// httpDateRE matches an HTTP date (cookies' Expires), which changes with
// time; clientAddrRE the probe's own address, once the server's is
// replaced (some versions answer it as the origin).
var (
	httpDateRE   = regexp.MustCompile(`\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT`)
	clientAddrRE = regexp.MustCompile(`127\.0\.0\.1:\d+`)
)

// decoded returns body decompressed when its encoding is gzip or
// deflate, so that the probe compares what was compressed.
func decoded(encoding string, body []byte) ([]byte, error) {
	var r io.Reader
	switch encoding {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return body, err
		}
		r = zr
	case "deflate":
		r = flate.NewReader(bytes.NewReader(body))
	default:
		return body, nil
	}
	return io.ReadAll(r)
}

// smtpProbes are the commands of the SMTP probe's session, in order; ""
// reads the greeting, and the DATA content follows DATA. The tab after
// EHLO's argument and the bare line feeds of the content are edge cases
// that versions of go-smtp answer differently.
var smtpProbes = []string{
	"", "EHLO replay.example\t", "NOOP", "VRFY postmaster", "HELP", "FOO bar",
	"AUTH PLAIN AHVzZXIAcGFzcw==", "MAIL FROM:<alice@example.org> SIZE=64 BODY=8BITMIME",
	"RCPT TO:<not an address>", "RCPT TO:<bob@example.org>", "RCPT TO:<carol@example.org> NOTIFY=NEVER", "DATA",
	"Subject: replay\r\n\r\nhello\nbare\n.\r\nafter\r\n.", "RSET", "MAIL FROM:<>", "RCPT TO:<bob@example.org>", "RSET",
	"HELO replay.example", "QUIT",
}

// probeSMTP holds one SMTP session with the server on 127.0.0.1:port.
func probeSMTP(ctx context.Context, port int) ([]exchange, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return nil, err
	}
	tp := textproto.NewConn(conn)
	var out []exchange
	for _, cmd := range smtpProbes {
		if cmd != "" {
			if err := tp.PrintfLine("%s", cmd); err != nil {
				out = append(out, exchange{Request: cmd, Response: "error: " + err.Error()})
				break
			}
		}
		code, msg, err := tp.ReadResponse(0)
		var te *textproto.Error // a response with an unexpected code: recorded like any other
		if err != nil && !errors.As(err, &te) {
			out = append(out, exchange{Request: cmd, Response: "error: " + err.Error()})
			break
		}
		out = append(out, exchange{Request: cmd, Response: fmt.Sprintf("%d %s", code, msg)})
	}
	return out, nil
}

// stableExchanges returns the indexes of the requests that got the same
// response in a and b, two probes of the same program: the others depend
// on time or chance, and no comparison of programs can use them.
func stableExchanges(a, b []exchange) []int {
	var idx []int
	for i := range min(len(a), len(b)) {
		if a[i] == b[i] {
			idx = append(idx, i)
		}
	}
	return idx
}

// differing returns the requests among idx whose responses differ between
// a and b (a missing response counts as different).
func differing(a, b []exchange, idx []int) []string {
	var out []string
	for _, i := range idx {
		if i >= len(a) || i >= len(b) || a[i].Response != b[i].Response {
			r := ""
			if i < len(a) {
				r = a[i].Request
			} else if i < len(b) {
				r = b[i].Request
			}
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}
