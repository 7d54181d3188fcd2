package dapproxy

import (
	"errors"
	"io"
	"net"
	"sync"

	"github.com/go-delve/delve/service"
	delvedap "github.com/go-delve/delve/service/dap"
	"github.com/go-delve/delve/service/debugger"
)

// backend is one Delve DAP session running in this process, connected to
// the proxy by an in-memory pipe.
type backend struct {
	peer    *peer
	session *delvedap.Session
	svc     *service.Config
	closed  chan struct{} // closed when the session's stream has ended

	closeOnce sync.Once
}

// newBackend starts a Delve DAP session. With a nil debugger it is a session
// before launch, which answers initialize and can run the modes the proxy
// leaves to Delve (noDebug, replay, core, attach); with a debugger it serves
// the process that debugger controls. svc may be nil for a session without
// a debugger.
func (s *Session) newBackend(d *debugger.Debugger, svc ...*service.Config) (*backend, error) {
	var cfg *service.Config
	if len(svc) > 0 && svc[0] != nil {
		cfg = svc[0]
	} else {
		c := s.proxy.cfg.Debugger
		cfg = &service.Config{Debugger: c}
	}
	disconnected := make(chan struct{})
	cfg.DisconnectChan = disconnected
	proxySide, delveSide := net.Pipe()
	sess := delvedap.NewSession(delveSide, &delvedap.Config{Config: cfg, StopTriggered: make(chan struct{})}, d)
	b := &backend{
		peer:    newPeer("delve", proxySide),
		session: sess,
		svc:     cfg,
		closed:  make(chan struct{}),
	}
	go sess.ServeDAPCodec()
	go s.readBackend(b)
	return b, nil
}

// readBackend routes Delve's messages until its stream ends. The end of the
// current session's stream ends the client's session too.
func (s *Session) readBackend(b *backend) {
	defer close(b.closed)
	for {
		raw, err := b.peer.read()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) {
				s.log.Warn("delve stream ended", "err", err)
			}
			s.mu.Lock()
			current := s.backend == b
			s.mu.Unlock()
			if current {
				s.end(nil)
			}
			return
		}
		m, err := parseMessage(raw)
		if err != nil {
			s.log.Error("invalid message from delve", "err", err)
			continue
		}
		s.fromDelve(b, m)
	}
}

// close stops the Delve session: a launched debuggee is killed, an attached
// one left running, as Delve does when its client goes away.
func (b *backend) close() {
	b.closeOnce.Do(func() {
		b.session.Close()
		b.peer.closeNow()
		<-b.closed
	})
}
