package dapproxy

import (
	"bufio"
	"io"
	"sync"

	"github.com/google/go-dap"
)

// peer is one side of the proxy: a framed DAP stream with a dedicated
// writer goroutine. Writes never block the caller: they are queued without
// bound and written in order. A peer is safe for concurrent use.
type peer struct {
	name string
	rwc  io.ReadWriteCloser
	r    *bufio.Reader

	mu      sync.Mutex
	queue   [][]byte
	wake    chan struct{}
	closed  bool
	done    chan struct{} // closed when the writer has stopped
	flushed chan struct{} // closed once close was asked and the queue is written
	werr    error
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
func (p *peer) send(content []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.queue = append(p.queue, content)
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return true
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
		for _, content := range batch {
			if err := dap.WriteBaseMessage(w, content); err != nil {
				p.fail(err)
				return
			}
		}
		if err := w.Flush(); err != nil {
			p.fail(err)
			return
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
	p.mu.Unlock()
	close(p.flushed)
}

// closeAfterFlush stops accepting messages, writes what is queued, then
// closes the stream.
func (p *peer) closeAfterFlush() {
	p.mu.Lock()
	already := p.closed
	p.closed = true
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
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
	p.rwc.Close()
}
