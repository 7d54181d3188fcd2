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
	filter   OutputFilter // nil for none

	mu   sync.Mutex // held while reading and sending, so drain sees all or nothing
	done chan struct{}
}

func (s *Session) newOutputPump(category string) (*outputPump, proc.OutputRedirect, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, proc.OutputRedirect{}, fmt.Errorf("output pipe: %w", err)
	}
	p := &outputPump{s: s, category: category, r: r, w: w, done: make(chan struct{})}
	if s.proxy.filter != nil {
		p.filter = s.proxy.filter(s, category)
	}
	go p.run()
	return p, proc.OutputRedirect{Path: fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), w.Fd())}, nil
}

func (p *outputPump) run() {
	defer close(p.done)
	defer func() {
		p.mu.Lock()
		p.flush()
		p.mu.Unlock()
	}()
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

// send sends text the debuggee wrote as an output event, as the
// pump's filter passes it on.
func (p *outputPump) send(text []byte) {
	if p.filter != nil {
		text = p.filter(text, false)
	}
	p.emit(text)
}

// flush sends what the pump's filter holds back.
func (p *outputPump) flush() {
	if p.filter != nil {
		p.emit(p.filter(nil, true))
	}
}

func (p *outputPump) emit(text []byte) {
	if len(text) == 0 {
		return
	}
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
	p.flush()
}

func (p *outputPump) stop() {
	p.w.Close()
	<-p.done
	p.r.Close()
}

// OutputFilter rewrites what the debuggee writes to one stream before
// the client sees it: it is given each piece of text as read, and returns
// the text to send now (it may hold some back); with flush set it is
// given no text and returns all it holds (before an event that must come
// after the output, and at the end of the stream). Calls do not overlap.
type OutputFilter func(text []byte, flush bool) []byte

// OutputFilterFunc returns the filter of a session's output to one stream
// ("stdout" or "stderr"), or nil for none.
type OutputFilterFunc func(s *Session, category string) OutputFilter

// FilterOutput makes f give the filters of the output of the programs
// that sessions launch with outputMode "remote". As with Handle, it must be
// called before Serve.
func (p *Proxy) FilterOutput(f OutputFilterFunc) { p.filter = f }

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
