package dapclient

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-dap"
)

// RawResponse is a response as received, for commands go-dap does not know
// and for responses to messages written with Send.
type RawResponse struct {
	Seq        int
	RequestSeq int
	Command    string
	Success    bool
	Message    string          // the short error message when Success is false
	Body       json.RawMessage // nil when the response has no body
	Raw        json.RawMessage // the whole message
}

// Decode decodes r with go-dap: a *dap.ErrorResponse when Success is false,
// otherwise the response type of r.Command. It fails for commands go-dap does
// not know.
func (r *RawResponse) Decode() (dap.ResponseMessage, error) {
	m, err := dap.DecodeProtocolMessage(r.Raw)
	if err != nil {
		return nil, fmt.Errorf("decode %s response: %w", r.Command, err)
	}
	resp, ok := m.(dap.ResponseMessage)
	if !ok {
		return nil, fmt.Errorf("decode %s response: got %T", r.Command, m)
	}
	return resp, nil
}

// NextSeq reserves and returns a sequence number, for callers that build
// messages themselves and write them with Send.
func (c *Client) NextSeq() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	return c.seq
}

// Call sets req's seq and type, sends it, and waits for the response with the
// matching request_seq. It returns the response also when its success is
// false (then usually a *dap.ErrorResponse); it returns an error only when
// sending fails, the connection ends, ctx is done, or the response cannot be
// decoded. Call modifies req.
func (c *Client) Call(ctx context.Context, req dap.RequestMessage) (dap.ResponseMessage, error) {
	r := req.GetRequest()
	r.Type = "request"
	r.Seq = c.NextSeq()
	ch := c.expect(r.Seq)
	b, err := json.Marshal(req)
	if err != nil {
		c.unexpect(r.Seq)
		return nil, fmt.Errorf("call %s: %w", r.Command, err)
	}
	raw, err := c.roundTrip(ctx, r.Seq, r.Command, b, ch)
	if err != nil {
		return nil, err
	}
	return raw.Decode()
}

// CallRaw sends a request with the given command and arguments (marshaled
// with encoding/json; nil means none) and waits for its response. Like Call,
// it returns unsuccessful responses without error.
func (c *Client) CallRaw(ctx context.Context, command string, arguments any) (*RawResponse, error) {
	seq := c.NextSeq()
	msg := struct {
		Seq       int    `json:"seq"`
		Type      string `json:"type"`
		Command   string `json:"command"`
		Arguments any    `json:"arguments,omitempty"`
	}{seq, "request", command, arguments}
	ch := c.expect(seq)
	b, err := json.Marshal(msg)
	if err != nil {
		c.unexpect(seq)
		return nil, fmt.Errorf("call %s: %w", command, err)
	}
	return c.roundTrip(ctx, seq, command, b, ch)
}

// roundTrip writes b and waits for the response on ch.
func (c *Client) roundTrip(ctx context.Context, seq int, command string, b []byte, ch chan *RawResponse) (*RawResponse, error) {
	if err := c.writeMessage(b); err != nil {
		c.unexpect(seq)
		return nil, fmt.Errorf("call %s: %w", command, err)
	}
	select {
	case resp := <-ch:
		return resp, nil
	case <-ctx.Done():
		c.unexpect(seq)
		return nil, fmt.Errorf("call %s: %w", command, ctx.Err())
	case <-c.done:
		c.unexpect(seq)
		// A response that arrived just before the end still counts.
		select {
		case resp := <-ch:
			return resp, nil
		default:
		}
		return nil, fmt.Errorf("call %s: %w", command, c.Err())
	}
}

// Send marshals msg and writes it as is: the caller sets seq and type. A
// response to it is not matched to anything; wait for it with WaitResponse.
func (c *Client) Send(msg dap.Message) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	if err := c.writeMessage(b); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// SendRaw writes b to the connection as is, without framing.
func (c *Client) SendRaw(b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if _, err := c.w.Write(b); err != nil {
		return fmt.Errorf("send raw: %w", err)
	}
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("send raw: %w", err)
	}
	return nil
}

// WaitResponse waits for a response with the given request_seq that no Call
// or CallRaw was waiting for (a response to a message written with Send) and
// returns it. Each such response is returned once.
func (c *Client) WaitResponse(ctx context.Context, requestSeq int) (*RawResponse, error) {
	for {
		c.mu.Lock()
		for i, r := range c.unmatched {
			if r.RequestSeq == requestSeq {
				c.unmatched = append(c.unmatched[:i], c.unmatched[i+1:]...)
				c.mu.Unlock()
				return r, nil
			}
		}
		changed, err := c.changed, c.err
		c.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("wait response to %d: %w", requestSeq, err)
		}
		select {
		case <-changed:
		case <-c.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("wait response to %d: %w", requestSeq, ctx.Err())
		}
	}
}

// writeMessage frames b and writes it.
func (c *Client) writeMessage(b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := c.Err(); err != nil {
		return err
	}
	c.log.Debug("dap ->", "msg", string(b))
	if err := dap.WriteBaseMessage(c.w, b); err != nil {
		return err
	}
	return c.w.Flush()
}

// expect registers a waiter for the response to seq.
func (c *Client) expect(seq int) chan *RawResponse {
	ch := make(chan *RawResponse, 1)
	c.mu.Lock()
	c.pending[seq] = ch
	c.mu.Unlock()
	return ch
}

// unexpect forgets the waiter for seq.
func (c *Client) unexpect(seq int) {
	c.mu.Lock()
	delete(c.pending, seq)
	c.mu.Unlock()
}

// receiveResponse hands r to its waiter or keeps it for WaitResponse.
func (c *Client) receiveResponse(r *RawResponse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.pending[r.RequestSeq]; ok {
		delete(c.pending, r.RequestSeq)
		ch <- r
		return
	}
	c.unmatched = append(c.unmatched, r)
	c.broadcastLocked()
}

// broadcastLocked wakes everyone waiting for a new event or response.
// c.mu must be held.
func (c *Client) broadcastLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}
