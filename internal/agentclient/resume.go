package agentclient

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-delve/delve/service/api"
)

// ResumeFor lets the stopped program run while f talks to its agent over
// the socket, and stops it again when f returns: for a request that no
// goroutine can take by call injection, because every one is parked in
// the Go runtime (a program paused with Ctrl-C while it waits). The
// program runs as it does during an injected call, and stops again where
// the debugger's halt finds it. A breakpoint that stops the program first
// ends f's context. The caller has the turn in the Queue, after Sync.
func (t *Target) ResumeFor(ctx context.Context, f func(ctx context.Context, c *SocketClient) error) error {
	t.mu.Lock()
	d, ep, sock := t.d, t.ep, t.sock
	t.mu.Unlock()
	if d == nil || ep == nil {
		return errors.New("the program's agent has no socket")
	}
	resumed := make(chan struct{})
	stopped := make(chan error, 1)
	go func() {
		_, err := d.Command(&api.DebuggerCommand{Name: api.Continue}, resumed, nil, nil)
		stopped <- err
	}()
	select {
	case <-resumed:
	case err := <-stopped:
		return fmt.Errorf("resume the program: %v", err)
	}
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ran := make(chan error, 1)
	go func() {
		if sock == nil {
			c, err := ep.Dial(fctx)
			if err != nil {
				ran <- fmt.Errorf("agent socket: %w", err)
				return
			}
			t.mu.Lock()
			t.sock, sock = c, c
			t.mu.Unlock()
		}
		err := f(fctx, sock)
		t.SocketDone(sock, err)
		ran <- err
	}()
	var err error
	select {
	case err = <-ran:
		if _, herr := d.Command(&api.DebuggerCommand{Name: api.Halt}, nil, nil, nil); herr != nil {
			return fmt.Errorf("stop the program again: %w", herr)
		}
		<-stopped
	case serr := <-stopped:
		// Stopped before the agent answered (a breakpoint): the request
		// is given up on, as a socket request the debugger interrupts.
		cancel()
		err = <-ran
		if serr != nil && err == nil {
			err = serr
		}
	}
	return err
}
