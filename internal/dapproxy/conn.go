package dapproxy

import (
	"bufio"
	"io"
	"sync"

	"github.com/google/go-dap"
)

// outputBudget is how many bytes of debuggee output may wait for a client
// that does not read; beyond it the output pumps stop reading the program's
// pipes, and the program waits on its writes as with a slow terminal.
const outputBudget = 1 << 20

// peer is one side of the proxy: a framed DAP stream with a dedicated
// writer goroutine. Writes never block the caller: they are queued and
// written in order. Only output counts against a budget (see awaitRoom):
// responses and other events are queued without bound, so a client that
// reads is never kept waiting for them. A peer is safe for concurrent use.
type peer struct {
	name string
	rwc  io.ReadWriteCloser
	r    *bufio.Reader

	mu      sync.Mutex
	queue   []queued
	held    int           // bytes of output queued or being written
	room    chan struct{} // closed when held shrinks or the peer closes; nil when nobody waits
	wake    chan struct{}
	closed  bool
	done    chan struct{} // closed when the writer has stopped
	flushed chan struct{} // closed once close was asked and the queue is written
	werr    error
}

// queued is one message waiting to be written; output counts against the
// output budget until it is written.
type queued struct {
	content []byte
	output  bool
}

func newPeer(name string, rwc io.ReadWriteCloser) *peer {
	p := &peer{
		name:    name,
		rwc:     rwc,
		r:       bufio.NewReader(rwc),
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		flushed: make(chan struct{}),
	}
	go p.writeLoop()
	return p
}

// read returns the content of the next framed message.
func (p *peer) read() ([]byte, error) {
	return dap.ReadBaseMessage(p.r)
}

// send queues one message's content for writing. It reports false when the
// peer is closed.
func (p *peer) send(content []byte) bool { return p.enqueue(content, false) }

// sendOutput is send for debuggee output, which counts against the output
// budget until written. Callers wait with awaitRoom first.
func (p *peer) sendOutput(content []byte) bool { return p.enqueue(content, true) }

func (p *peer) enqueue(content []byte, output bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.queue = append(p.queue, queued{content, output})
	if output {
		p.held += len(content)
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return true
}

// awaitRoom waits until less output than the budget waits to be written,
// the peer is closed, or stop is closed.
func (p *peer) awaitRoom(stop <-chan struct{}) {
	for {
		p.mu.Lock()
		if p.closed || p.held < outputBudget {
			p.mu.Unlock()
			return
		}
		if p.room == nil {
			p.room = make(chan struct{})
		}
		room := p.room
		p.mu.Unlock()
		select {
		case <-room:
		case <-stop:
			return
		}
	}
}

// releaseLocked returns n bytes of written output to the budget and wakes the
// waiters. The caller holds mu.
func (p *peer) releaseLocked(n int) {
	p.held -= n
	if p.room != nil {
		close(p.room)
		p.room = nil
	}
}

func (p *peer) writeLoop() {
	defer close(p.done)
	w := bufio.NewWriter(p.rwc)
	for {
		p.mu.Lock()
		batch := p.queue
		p.queue = nil
		closing := p.closed
		p.mu.Unlock()
		output := 0
		for _, q := range batch {
			if err := dap.WriteBaseMessage(w, q.content); err != nil {
				p.fail(err)
				return
			}
			if q.output {
				output += len(q.content)
			}
		}
		if err := w.Flush(); err != nil {
			p.fail(err)
			return
		}
		if output > 0 {
			p.mu.Lock()
			p.releaseLocked(output)
			p.mu.Unlock()
		}
		if closing && len(batch) == 0 {
			close(p.flushed)
			return
		}
		if len(batch) > 0 {
			continue
		}
		<-p.wake
	}
}

func (p *peer) fail(err error) {
	p.mu.Lock()
	p.werr = err
	p.closed = true
	p.queue = nil
	p.releaseLocked(p.held)
	p.mu.Unlock()
	close(p.flushed)
}

// closeAfterFlush stops accepting messages, writes what is queued, then
// closes the stream.
func (p *peer) closeAfterFlush() {
	p.mu.Lock()
	already := p.closed
	p.closed = true
	p.releaseLocked(0) // waiters see closed
	p.mu.Unlock()
	if !already {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
	<-p.done
	p.rwc.Close()
}

// closeNow closes the stream without flushing.
func (p *peer) closeNow() {
	p.mu.Lock()
	p.closed = true
	p.releaseLocked(0)
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
	p.rwc.Close()
}
