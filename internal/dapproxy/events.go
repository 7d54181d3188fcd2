package dapproxy

import (
	"encoding/json"
	"fmt"
)

// EventFunc rewrites the body of one event Delve sends, before the client
// sees it: it returns the body to send (nil keeps the event as Delve sent
// it) and false to drop the event. It runs on the goroutine that reads
// Delve, so it must not wait for Delve.
type EventFunc func(s *Session, body json.RawMessage) (json.RawMessage, bool)

// HandleEvent registers f for Delve's events with the given name (e.g.
// "breakpoint"), to change what they say before the client sees them. As
// with Handle, it must be called before Serve, and a second function for
// one event panics.
func (p *Proxy) HandleEvent(event string, f EventFunc) {
	if f == nil {
		panic(fmt.Sprintf("dapproxy: nil function for event %q", event))
	}
	if p.events == nil {
		p.events = map[string]EventFunc{}
	}
	if _, ok := p.events[event]; ok {
		panic(fmt.Sprintf("dapproxy: a function for event %q is already registered", event))
	}
	p.events[event] = f
}

// rewriteEvent applies the function registered for m's event, if any, and
// returns the message to forward, or nil to drop it.
func (s *Session) rewriteEvent(m *message) *message {
	f := s.proxy.events[m.Event]
	if f == nil {
		return m
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(m.raw, &fields); err != nil {
		return m
	}
	body, keep := f(s, fields["body"])
	if !keep {
		return nil
	}
	if body == nil {
		return m
	}
	fields["body"] = body
	r, err := parseMessage(mustMarshal(fields))
	if err != nil {
		s.log.Error("rewriting event", "event", m.Event, "err", err)
		return m
	}
	return r
}

// forwardEvent forwards an event of the current Delve session, after the
// program's output before it, as the function registered for it rewrites
// it.
func (s *Session) forwardEvent(m *message) {
	if m.Event == "stopped" || m.Event == "exited" || m.Event == "terminated" {
		s.drainOutput()
	}
	if m = s.rewriteEvent(m); m != nil {
		s.forwardToClient(m, 0)
	}
}
