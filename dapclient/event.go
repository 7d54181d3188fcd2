package dapclient

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-dap"
)

// RawEvent is an event go-dap does not know (a custom event such as one of
// livepatch's own), or one it could not decode. Body is the raw body.
type RawEvent struct {
	dap.Event
	Body json.RawMessage `json:"body,omitempty"`
}

// OnEvent registers f to be called for every event received from now on, in
// arrival order, from the reader goroutine: f must not block, and must not
// wait for responses on this Client (Call would never return).
func (c *Client) OnEvent(f func(dap.EventMessage)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.handlers = append(c.handlers, f)
}

// WaitEvent waits for an event with the given name and consumes it: it
// returns the oldest queued event of that name that no earlier wait has
// returned. It fails when ctx is done or when the connection has ended and no
// such event is queued.
func (c *Client) WaitEvent(ctx context.Context, event string) (dap.EventMessage, error) {
	e, err := c.WaitEventFunc(ctx, func(e dap.EventMessage) bool { return e.GetEvent().Event == event })
	if err != nil {
		return nil, fmt.Errorf("wait %s event: %w", event, err)
	}
	return e, nil
}

// WaitEventFunc is like WaitEvent for the oldest queued event for which
// match returns true. match is called with the client's lock held: it must
// not call methods of the Client.
func (c *Client) WaitEventFunc(ctx context.Context, match func(dap.EventMessage) bool) (dap.EventMessage, error) {
	for {
		c.mu.Lock()
		for i, e := range c.events {
			if match(e) {
				c.events = append(c.events[:i], c.events[i+1:]...)
				c.mu.Unlock()
				return e, nil
			}
		}
		changed, err := c.changed, c.err
		c.mu.Unlock()
		if err != nil {
			return nil, err
		}
		select {
		case <-changed:
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// PollEvent consumes and returns the oldest queued event for which match
// returns true, without waiting; ok is false when there is none. match is
// called with the client's lock held: it must not call methods of the Client.
func (c *Client) PollEvent(match func(dap.EventMessage) bool) (e dap.EventMessage, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.events {
		if match(e) {
			c.events = append(c.events[:i], c.events[i+1:]...)
			return e, true
		}
	}
	return nil, false
}

// receiveEvent decodes, queues and dispatches one event.
func (c *Client) receiveEvent(env *envelope, raw json.RawMessage) {
	var e dap.EventMessage
	if m, err := dap.DecodeProtocolMessage(raw); err == nil {
		e, _ = m.(dap.EventMessage)
	}
	if e == nil {
		e = &RawEvent{
			Event: dap.Event{ProtocolMessage: dap.ProtocolMessage{Seq: env.Seq, Type: "event"}, Event: env.Event},
			Body:  env.Body,
		}
	}
	c.mu.Lock()
	if c.keepEvent == nil || c.keepEvent(e) {
		c.events = append(c.events, e)
		c.broadcastLocked()
	}
	handlers := c.handlers
	c.mu.Unlock()
	for _, h := range handlers {
		h(e)
	}
}
