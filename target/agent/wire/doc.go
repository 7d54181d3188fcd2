// Package wire is the protocol between livepatch and the agent linked into
// the user's program (package agent): the requests and responses, the
// patches they carry, and the errors that come back. Both sides import it;
// it imports only the standard library, so that a host package can speak
// to the agent without linking the agent or yaegi.
//
// The host talks to the agent with JSON requests and responses (Request and
// Response), over the agent's unix socket or through call injection (see
// package agent for the two channels and the hello a socket connection
// starts with).
//
// A failed request's response says why as an Error, a value: its kind
// (ErrCompile, ErrBusy, ...), its position in the source sent, the
// function it is about and the message; a refused patch set lists one
// Error per failed function. The host branches on the kind and formats the
// error only where a person reads it.
//
// Operations: "hello", "apply" (Patches), "revert" (Refs, or All), "eval"
// (Source, Package, TimeoutMillis), "calls" (Refs, Stacks), "status" and
// "release". Every response to the operations after hello but release and
// calls carries the list of patched functions.
package wire
