package agentclient

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// defaultTimeout bounds a request whose context has no deadline.
const defaultTimeout = 30 * time.Second

// SocketClient talks to the agent over its unix socket. Its methods are
// safe for concurrent use; requests are sent one at a time. Every read has
// a deadline: the context's, or 30 seconds. A request given up on (its
// context ended, or its deadline passed, while the agent was still working
// on it, for example because a debugger stopped the target) still gets its
// response later; the client recognizes it by its ID and skips it, so that
// every request gets its own response.
type SocketClient struct {
	*ops
	mu     sync.Mutex
	conn   net.Conn
	r      *bufio.Reader
	nextID int64
}

// Dial connects to the agent's socket at path and authenticates with token.
// The agent serves one client at a time; a refusal is an *AgentError.
func Dial(ctx context.Context, path, token string) (*SocketClient, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("dial agent: %w", err)
	}
	c := &SocketClient{conn: conn, r: bufio.NewReader(conn)}
	c.ops = &ops{t: c}
	if _, err := c.do(ctx, &wire.Request{Op: wire.OpHello, Token: token}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("dial agent: %w", err)
	}
	return c, nil
}

// Close closes the connection, freeing the agent for another client.
func (c *SocketClient) Close() error {
	return c.conn.Close()
}

func (c *SocketClient) roundTrip(ctx context.Context, req *wire.Request) (*wire.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	req.ID = c.nextID
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req.Op, err)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultTimeout)
	}
	c.conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := c.conn.Write(append(b, '\n')); err != nil {
		return nil, fmt.Errorf("%s: %w", req.Op, ctxErr(ctx, err))
	}
	for {
		line, err := c.r.ReadBytes('\n')
		if err != nil {
			return nil, fmt.Errorf("%s: %w", req.Op, ctxErr(ctx, err))
		}
		var resp wire.Response
		if err := json.Unmarshal(line, &resp); err != nil {
			return nil, fmt.Errorf("%s: bad response: %w", req.Op, err)
		}
		switch {
		case resp.ID == req.ID:
			return &resp, nil
		case resp.ID == 0 && !resp.OK:
			// The agent could not read a request (a line the client
			// failed to write whole): the error answers this one.
			return &resp, nil
		case resp.ID < req.ID:
			continue // the late response of a request given up on
		default:
			return nil, fmt.Errorf("%s: response for request %d, want %d", req.Op, resp.ID, req.ID)
		}
	}
}

// ctxErr prefers the context's error over the deadline error it caused.
// The connection's deadline is the context's, and can pass a moment before
// the context reports it.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return errors.Join(cerr, err)
	}
	if d, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(d) {
		return errors.Join(context.DeadlineExceeded, err)
	}
	return err
}
