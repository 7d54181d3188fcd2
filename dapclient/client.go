package dapclient

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/google/go-dap"
)

// ErrClosed is the reason a Client ended when Close was called.
var ErrClosed = errors.New("connection closed")

// Client is a DAP client on one connection. Create it with New; it is safe
// for concurrent use by multiple goroutines.
type Client struct {
	conn         io.ReadWriteCloser
	log          *slog.Logger
	reverse      ReverseRequestHandler
	keepEvent    func(dap.EventMessage) bool
	noTranscript bool

	writeMu sync.Mutex
	w       *bufio.Writer

	mu         sync.Mutex
	seq        int
	pending    map[int]chan *RawResponse // by request seq
	unmatched  []*RawResponse            // responses nobody waited for
	events     []dap.EventMessage        // queued, not yet consumed
	changed    chan struct{}             // closed and replaced when events or unmatched grow
	handlers   []func(dap.EventMessage)
	transcript []json.RawMessage
	err        error

	done      chan struct{}
	closeOnce sync.Once
}

// New returns a Client speaking DAP on conn and starts its reader goroutine.
// The Client owns conn: Close closes it, and the Client ends when reading
// from it fails.
func New(conn io.ReadWriteCloser, opts ...Option) *Client {
	c := &Client{
		conn:    conn,
		log:     slog.New(slog.DiscardHandler),
		w:       bufio.NewWriter(conn),
		pending: make(map[int]chan *RawResponse),
		changed: make(chan struct{}),
		done:    make(chan struct{}),
	}
	for _, o := range opts {
		o(c)
	}
	go c.readLoop()
	return c
}

// Done returns a channel that is closed when the connection has ended, by
// Close, by the peer, or by a protocol error; Err then tells why.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns why the connection ended: ErrClosed after Close, io.EOF when
// the peer closed it, or the read or framing error. It returns nil while the
// connection is alive.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close closes the connection and ends the client; pending calls and waits
// fail with ErrClosed. It returns the error of closing the connection and is
// safe to call more than once.
func (c *Client) Close() error {
	c.finish(ErrClosed)
	var err error
	c.closeOnce.Do(func() { err = c.conn.Close() })
	return err
}

// Transcript returns every message received so far, raw, in arrival order,
// including messages that could not be decoded.
func (c *Client) Transcript() []json.RawMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]json.RawMessage(nil), c.transcript...)
}

// finish records why the connection ended, once, and wakes every waiter.
func (c *Client) finish(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	close(c.done)
}

// readLoop reads messages until the connection fails.
func (c *Client) readLoop() {
	r := bufio.NewReader(c.conn)
	for {
		b, err := dap.ReadBaseMessage(r)
		if err != nil {
			if c.Err() == nil {
				c.log.Debug("dap read ended", "err", err)
			}
			c.finish(fmt.Errorf("read: %w", err))
			c.closeOnce.Do(func() { c.conn.Close() })
			return
		}
		c.log.Debug("dap <-", "msg", string(b))
		c.receive(b)
	}
}

// envelope holds the fields common to every DAP message.
type envelope struct {
	Seq        int             `json:"seq"`
	Type       string          `json:"type"`
	Command    string          `json:"command"`
	Event      string          `json:"event"`
	RequestSeq int             `json:"request_seq"`
	Success    bool            `json:"success"`
	Message    string          `json:"message"`
	Body       json.RawMessage `json:"body"`
	Arguments  json.RawMessage `json:"arguments"`
}

// receive dispatches one message.
func (c *Client) receive(b []byte) {
	raw := json.RawMessage(b)
	if !c.noTranscript {
		c.mu.Lock()
		c.transcript = append(c.transcript, raw)
		c.mu.Unlock()
	}
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		c.log.Warn("dap message is not JSON", "err", err, "msg", string(b))
		return
	}
	switch env.Type {
	case "response":
		c.receiveResponse(&RawResponse{
			Seq:        env.Seq,
			RequestSeq: env.RequestSeq,
			Command:    env.Command,
			Success:    env.Success,
			Message:    env.Message,
			Body:       env.Body,
			Raw:        raw,
		})
	case "event":
		c.receiveEvent(&env, raw)
	case "request":
		c.receiveRequest(&RawRequest{Seq: env.Seq, Command: env.Command, Arguments: env.Arguments, Raw: raw})
	default:
		c.log.Warn("dap message of unknown type", "type", env.Type, "msg", string(b))
	}
}
