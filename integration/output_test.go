package integration

import (
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/dapclient"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/testenv"
)

// heldConn is a client's connection whose reads can be held, as a client
// that stops reading its socket.
type heldConn struct {
	net.Conn
	mu     sync.Mutex
	open   chan struct{} // closed while reads may go on
	closed chan struct{}
	once   sync.Once
}

func newHeldConn(c net.Conn) *heldConn {
	h := &heldConn{Conn: c, open: make(chan struct{}), closed: make(chan struct{})}
	close(h.open)
	return h
}

func (h *heldConn) Read(p []byte) (int, error) {
	h.mu.Lock()
	open := h.open
	h.mu.Unlock()
	select {
	case <-open:
	case <-h.closed:
		return 0, net.ErrClosed
	}
	return h.Conn.Read(p)
}

func (h *heldConn) Close() error {
	h.once.Do(func() { close(h.closed) })
	return h.Conn.Close()
}

// hold makes reads wait until resume (a read in progress finishes).
func (h *heldConn) hold() {
	h.mu.Lock()
	h.open = make(chan struct{})
	h.mu.Unlock()
}

func (h *heldConn) resume() {
	h.mu.Lock()
	close(h.open)
	h.mu.Unlock()
}

// liveHeap returns the bytes of live heap objects of this process, in which
// the proxy runs.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// blockedOnPipe reports whether a thread of process pid sleeps in a write
// to a full pipe.
func blockedOnPipe(pid int) bool {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return false
	}
	for _, task := range tasks {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/wchan", pid, task.Name()))
		if strings.Contains(string(b), "pipe_write") { // anon_pipe_write since Linux 6.14
			return true
		}
	}
	return false
}

// bytesWritten returns how many bytes process pid has written, or -1.
func bytesWritten(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

// lineCounter checks the flood fixture's output as it arrives: numbered
// lines in order, then "done".
type lineCounter struct {
	mu      sync.Mutex
	partial string
	next    int
	done    bool
	bad     string
}

func (c *lineCounter) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s = c.partial + s
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		line := s[:i]
		s = s[i+1:]
		if line == "done" {
			c.done = true
			continue
		}
		n, _, _ := strings.Cut(line, " ")
		if got, err := strconv.Atoi(n); (err != nil || got != c.next) && c.bad == "" {
			c.bad = fmt.Sprintf("line %q where line %d was due", line, c.next)
		}
		c.next++
	}
	c.partial = s
}

// TestOutputBackPressure runs a program that prints without pause while
// the client stops reading: the proxy must hold a bounded amount (the
// program then waits on its writes, as with a slow terminal), and once the
// client reads again every line arrives, in order, before the program's
// exit.
func TestOutputBackPressure(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("watches the debuggee's threads in /proc, which only Linux has")
	}
	const lines = 400000 // about 43 MB
	const bound = 16 << 20
	var conn *heldConn
	var count lineCounter
	px := dapproxy.New(dapproxy.Config{Log: testenv.Logger(t, "dapproxy")})
	env := serveConn(t, px, func(c net.Conn) io.ReadWriteCloser {
		conn = newHeldConn(c)
		return conn
	}, dapclient.WithoutTranscript(), dapclient.WithEventFilter(func(e dap.EventMessage) bool {
		_, isOutput := e.(*dap.OutputEvent)
		return !isOutput
	}))
	env.Client.OnEvent(func(e dap.EventMessage) {
		if o, ok := e.(*dap.OutputEvent); ok && o.Body.Category == "stdout" && !strings.HasPrefix(o.Body.Output, "Building ") {
			count.add(o.Body.Output)
		}
	})

	env.Initialize()
	env.Launch(map[string]any{"mode": "debug", "program": fixture(t, "flood"), "outputMode": "remote",
		"args": []string{strconv.Itoa(lines)}})
	pid := env.WaitEvent("process").(*dap.ProcessEvent).Body.SystemProcessId
	env.WaitEvent("initialized")
	before := liveHeap()
	env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
	conn.hold()

	// The program prints until the proxy stops taking its output: then it
	// sleeps in a write and its count of bytes written stays put from one
	// look to the next. The heap is checked at each look, since an unbounded
	// proxy keeps taking output.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	last := int64(-1)
	for {
		written := bytesWritten(pid)
		if written == last && blockedOnPipe(pid) {
			break
		}
		last = written
		if grown := int64(liveHeap()) - int64(before); grown > bound {
			t.Fatalf("with the client not reading, the proxy's heap grew by %d MB (bound %d MB) while the program wrote %d MB", grown>>20, bound>>20, written>>20)
		}
		select {
		case <-tick.C:
		case <-env.Ctx.Done():
			t.Fatal("the program never waited on its output")
		}
	}
	grown := int64(liveHeap()) - int64(before)
	t.Logf("the program waits on its output after writing %.1f MB; the proxy's heap grew by %.1f MB", float64(last)/(1<<20), float64(grown)/(1<<20))
	if grown > bound {
		t.Fatalf("with the client not reading, the proxy's heap grew by %d MB (bound %d MB)", grown>>20, bound>>20)
	}

	conn.resume()
	env.WaitEvent("exited")
	env.WaitEvent("terminated")
	count.mu.Lock()
	defer count.mu.Unlock()
	if count.bad != "" || count.next != lines || !count.done {
		t.Errorf("got %d lines (done: %v, first problem: %q), want %d lines then done", count.next, count.done, count.bad, lines)
	}
}
