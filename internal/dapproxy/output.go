package dapproxy

import (
	"fmt"
	"os"
	"sync"
	"syscall"

	"github.com/go-delve/delve/pkg/proc"
	"golang.org/x/sys/unix"
)

// outputPump turns what the debuggee writes to one stream into output
// events. The proxy keeps the pipe's write end open for the whole session,
// so the debuggee can reopen it by path (/proc/self/fd/N) on every restart
// and output keeps flowing; Delve's own fifo cannot be reopened that way.
type outputPump struct {
	s        *Session
	category string
	r, w     *os.File

	mu   sync.Mutex // held while reading and sending, so drain sees all or nothing
	done chan struct{}
}

func (s *Session) newOutputPump(category string) (*outputPump, proc.OutputRedirect, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, proc.OutputRedirect{}, fmt.Errorf("output pipe: %w", err)
	}
	p := &outputPump{s: s, category: category, r: r, w: w, done: make(chan struct{})}
	go p.run()
	return p, proc.OutputRedirect{Path: fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), w.Fd())}, nil
}

func (p *outputPump) run() {
	defer close(p.done)
	rc, err := p.r.SyscallConn()
	if err != nil {
		p.s.log.Error("output pump", "err", err)
		return
	}
	eof := false
	for !eof {
		woken := false
		err := rc.Read(func(fd uintptr) bool {
			p.mu.Lock()
			defer p.mu.Unlock()
			n, err := p.sendPending(int(fd))
			if err != nil || (n == 0 && woken && p.atEOF(int(fd))) {
				eof = true
				return true
			}
			woken = true
			return false
		})
		if err != nil {
			return
		}
	}
}

// sendPending sends whatever the pipe holds now, without blocking on the
// pipe. It first waits until the client's output budget has room (or the
// session ends): what a client has not read yet is bounded, and a program
// that writes faster than the client reads waits on its full pipe, as with
// a slow terminal.
func (p *outputPump) sendPending(fd int) (int, error) {
	p.s.client.awaitRoom(p.s.done)
	avail, err := unix.IoctlGetInt(fd, ioctlReadable)
	if err != nil || avail == 0 {
		return 0, err
	}
	buf := make([]byte, avail)
	n, err := syscall.Read(fd, buf)
	if n > 0 {
		p.send(buf[:n])
	}
	if err == syscall.EAGAIN {
		err = nil
	}
	return max(n, 0), err
}

// atEOF reports whether a readable pipe with nothing in it has lost its
// writers.
func (p *outputPump) atEOF(fd int) bool {
	var b [1]byte
	n, err := syscall.Read(fd, b[:])
	if n == 1 { // raced with a writer: keep the byte
		p.send(b[:1])
		return false
	}
	return n == 0 && err == nil
}

// send sends text the debuggee wrote as an output event.
func (p *outputPump) send(text []byte) {
	p.s.toClientOutput(eventMessage("output", map[string]string{"category": p.category, "output": string(text)}))
}

// drain sends everything the debuggee has written so far.
func (p *outputPump) drain() {
	p.mu.Lock()
	defer p.mu.Unlock()
	rc, err := p.r.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		for {
			n, err := p.sendPending(int(fd))
			if n == 0 || err != nil {
				return
			}
		}
	})
}

func (p *outputPump) stop() {
	p.w.Close()
	<-p.done
	p.r.Close()
}

// drainOutput forwards all debuggee output written so far, so it reaches the
// client before the events that follow it.
func (s *Session) drainOutput() {
	for _, p := range s.pumps() {
		p.drain()
	}
}

func (s *Session) stopOutput() {
	for _, p := range s.pumps() {
		p.stop()
	}
}

// pumps returns the output pumps of the launch, if any.
func (s *Session) pumps() []*outputPump {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.launch == nil {
		return nil
	}
	return s.launch.pumps
}
