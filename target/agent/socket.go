package agent

import (
	"bufio"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// Environment variables through which the host configures the socket. The
// agent unsets both at start so that child processes do not inherit them.
const (
	EnvSocket = "LIVEPATCH_AGENT_SOCKET"
	EnvToken  = "LIVEPATCH_AGENT_TOKEN"
)

// helloTimeout bounds how long a new connection may take to authenticate.
var helloTimeout = 10 * time.Second

// maxMessage bounds one request line.
const maxMessage = 64 << 20

// Server serves the agent's protocol on a unix socket, one client at a
// time. Its methods are safe for concurrent use.
type Server struct {
	ln    net.Listener
	token string

	mu     sync.Mutex
	active net.Conn // the authenticated client, if any
	closed bool
}

// Listen creates the unix socket at path, restricts it to the owner (mode
// 0600; the directory should be private) and serves clients that present
// token in their hello. A socket file left at path by an earlier process
// (the previous run of a restarted program) is removed first. Errors are
// wrapped "listen: ...".
func Listen(path, token string) (*Server, error) {
	if token == "" {
		return nil, errors.New("listen: empty token")
	}
	// A socket left by an earlier process at the same path (a restart)
	// would make the listen fail; the directory is private to the host.
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &Server{ln: ln, token: token}
	go s.acceptLoop()
	return s, nil
}

// Addr returns the socket path.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops accepting and closes the active connection.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	if s.active != nil {
		s.active.Close()
	}
	s.mu.Unlock()
	return s.ln.Close()
}

func (s *Server) acceptLoop() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.serveConn(c)
	}
}

// serveConn authenticates c, claims the single client slot and serves
// requests until c closes.
func (s *Server) serveConn(c net.Conn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 64<<10)
	enc := json.NewEncoder(c)
	reply := func(resp wire.Response) bool {
		c.SetWriteDeadline(time.Now().Add(helloTimeout))
		return enc.Encode(resp) == nil
	}

	c.SetReadDeadline(time.Now().Add(helloTimeout))
	line, err := readLine(r)
	if err != nil {
		return
	}
	var hello wire.Request
	if err := json.Unmarshal(line, &hello); err != nil || hello.Op != wire.OpHello {
		reply(wire.Response{ID: hello.ID, Error: wire.Errorf(wire.ErrRequest, "first request must be hello")})
		return
	}
	if subtle.ConstantTimeCompare([]byte(hello.Token), []byte(s.token)) != 1 {
		reply(wire.Response{ID: hello.ID, Error: wire.Errorf(wire.ErrRequest, "wrong token")})
		return
	}
	s.mu.Lock()
	if s.active != nil || s.closed {
		s.mu.Unlock()
		reply(wire.Response{ID: hello.ID, Error: wire.Errorf(wire.ErrBusy, "agent busy: another client is connected")})
		return
	}
	s.active = c
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.active = nil
		s.mu.Unlock()
	}()
	if !reply(wire.Response{ID: hello.ID, OK: true}) {
		return
	}
	c.SetReadDeadline(time.Time{})
	lock := func() bool { machine.mu.Lock(); return true }
	for {
		line, err := readLine(r)
		if err != nil {
			return
		}
		out, after := handleBytes(line, lock, nil)
		c.SetWriteDeadline(time.Now().Add(time.Minute))
		_, err = c.Write(append(out, '\n'))
		// Answered first: a released short-lived program (a test binary)
		// may exit before a reply written after, and a call a gate lets
		// go may stop at a breakpoint, whose halt would hold the reply.
		after()
		if err != nil {
			return
		}
	}
}

// readLine reads one newline-terminated message.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, isPrefix, err := r.ReadLine()
		if err != nil {
			return nil, err
		}
		line = append(line, chunk...)
		if len(line) > maxMessage {
			return nil, errors.New("message too large")
		}
		if !isPrefix {
			return line, nil
		}
	}
}
