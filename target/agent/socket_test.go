package agent

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// deadline returns the time by which a peer must answer.
func deadline(t *testing.T) time.Time {
	d := time.Now().Add(30 * time.Second)
	if td, ok := t.Deadline(); ok && td.Before(d) {
		d = td
	}
	return d
}

// privateSocket returns a socket path in a fresh 0700 directory.
func privateSocket(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "agent")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "sock")
}

// lineClient is a minimal client of the socket protocol.
type lineClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialLine(t *testing.T, path string) *lineClient {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return &lineClient{t: t, conn: c, r: bufio.NewReader(c)}
}

// do sends req and returns the response, or ok=false when the agent closed
// the connection instead.
func (c *lineClient) do(req wire.Request) (resp wire.Response, ok bool) {
	c.t.Helper()
	c.conn.SetDeadline(deadline(c.t))
	b, _ := json.Marshal(req)
	if _, err := c.conn.Write(append(b, '\n')); err != nil {
		return resp, false
	}
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		return resp, false
	}
	if err := json.Unmarshal(line, &resp); err != nil {
		c.t.Fatalf("bad response %q: %v", line, err)
	}
	return resp, true
}

// closed reports whether the agent closed the connection.
func (c *lineClient) closed() bool {
	c.conn.SetReadDeadline(deadline(c.t))
	_, err := c.r.ReadByte()
	return err != nil
}

func TestSocket(t *testing.T) {
	resetPatches(t)
	path := privateSocket(t)
	s, err := Listen(path, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("socket mode: got %o, want 600", m)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("socket directory is not private: %v %v", fi.Mode(), err)
	}

	t.Run("wrong token", func(t *testing.T) {
		c := dialLine(t, path)
		resp, ok := c.do(wire.Request{Op: wire.OpHello, Token: "guess"})
		if !ok || resp.OK || errText(resp.Error) != "wrong token" {
			t.Errorf("got %+v, want error wrong token", resp)
		}
		if !c.closed() {
			t.Errorf("connection stays open after a wrong token")
		}
	})
	t.Run("no hello", func(t *testing.T) {
		c := dialLine(t, path)
		resp, _ := c.do(wire.Request{Op: wire.OpEval, Source: "1"})
		if resp.OK || !strings.Contains(errText(resp.Error), "hello") {
			t.Errorf("got %+v, want hello required", resp)
		}
	})
	t.Run("one client at a time", func(t *testing.T) {
		first := dialLine(t, path)
		if resp, ok := first.do(wire.Request{Op: wire.OpHello, Token: "s3cret"}); !ok || !resp.OK {
			t.Fatalf("hello: %+v", resp)
		}
		second := dialLine(t, path)
		resp, _ := second.do(wire.Request{Op: wire.OpHello, Token: "s3cret"})
		if resp.OK || !strings.Contains(errText(resp.Error), "another client") {
			t.Errorf("second client: got %+v, want refusal", resp)
		}
		resp, _ = first.do(wire.Request{ID: 7, Op: wire.OpApply, Patches: []wire.Patch{{Ref: wire.Ref{Key: testPkg + ".greet"}, Source: `func greet(n string) string { return "sock " + n }`}}})
		if !resp.OK || resp.ID != 7 || len(resp.Patched) != 1 {
			t.Errorf("apply: got %+v", resp)
		}
		if got := greet("a"); got != "sock a" {
			t.Errorf("greet after socket apply: got %q", got)
		}
		resp, _ = first.do(wire.Request{Op: wire.OpEval, Source: "greet(\"b\")", Package: testPkg})
		if !resp.OK || resp.Value != `"sock b"` {
			t.Errorf("eval: got %+v", resp)
		}
		resp, _ = first.do(wire.Request{Op: wire.OpRevert, All: true})
		if !resp.OK || greet("a") != "hello a" {
			t.Errorf("revert: got %+v", resp)
		}
		first.conn.Close()
		// The slot frees when the agent notices the close.
		for {
			third := dialLine(t, path)
			resp, ok := third.do(wire.Request{Op: wire.OpHello, Token: "s3cret"})
			if ok && resp.OK {
				break
			}
			if time.Now().After(deadline(t)) {
				t.Fatalf("slot never freed: %+v", resp)
			}
		}
	})
}

func TestServe(t *testing.T) {
	resetPatches(t)
	call := func(req wire.Request) wire.Response {
		b, _ := json.Marshal(req)
		n := copy(Inbox[:], b)
		m := Serve(n)
		var resp wire.Response
		if err := json.Unmarshal(Outbox[:m], &resp); err != nil {
			t.Fatalf("Serve response %q: %v", Outbox[:m], err)
		}
		return resp
	}
	resp := call(wire.Request{Op: wire.OpApply, Patches: []wire.Patch{{Ref: wire.Ref{Index: 1}, Source: `func(n string) string { return "inj " + n }`}}})
	if !resp.OK || greet("x") != "inj x" {
		t.Errorf("apply: %+v", resp)
	}
	resp = call(wire.Request{Op: wire.OpEval, Source: "6 * 7"})
	if !resp.OK || resp.Value != "42" {
		t.Errorf("eval: %+v", resp)
	}
	if Serve(-1) != -1 || Serve(len(Inbox)+1) != -1 {
		t.Errorf("Serve accepted an out-of-range length")
	}
	// An injected call never waits for the lock.
	machine.mu.Lock()
	resp = call(wire.Request{Op: wire.OpStatus})
	machine.mu.Unlock()
	if resp.OK || !strings.Contains(errText(resp.Error), "busy") {
		t.Errorf("status while locked: got %+v, want busy", resp)
	}
	resp = call(wire.Request{Op: wire.OpStatus})
	if want := tableSize(); !resp.OK || resp.Funcs != want {
		t.Errorf("status: got %+v, want %d funcs (the fixtures' table size)", resp, want)
	}
}

func TestStartUnsetsEnvironment(t *testing.T) {
	path := privateSocket(t)
	t.Setenv(EnvSocket, path)
	t.Setenv(EnvToken, "tok")
	Start()
	if server == nil {
		t.Fatalf("Start did not listen")
	}
	t.Cleanup(func() { server.Close() })
	for _, k := range []string{EnvSocket, EnvToken} {
		if _, ok := os.LookupEnv(k); ok {
			t.Errorf("%s still set after Start", k)
		}
	}
	if len(entryPoints) == 0 {
		t.Errorf("Start did not keep the entry points")
	}
	c := dialLine(t, path)
	if resp, ok := c.do(wire.Request{Op: wire.OpHello, Token: "tok"}); !ok || !resp.OK {
		t.Errorf("hello: %+v", resp)
	}
}
