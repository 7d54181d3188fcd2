// Package agentclient talks to the livepatch agent inside a target program
// from the host. SocketClient uses the agent's unix socket while the target
// runs; CallClient uses Delve call injection while the target is stopped.
// Both send the same requests (see package target/agent) and offer the same
// operations.
//
// Clients of both kinds may be used on one target at the same time. They
// share no buffers: a SocketClient has its connection, and every CallClient
// of one debugger (each made by the Target that owns it) takes turns, under
// the Target's lock, with the target's one inbox and outbox, so that each
// request, whichever user sends it, gets its own response. The package
// keeps no state of its own. The
// agent runs one operation at a time; an injected call that finds it in the
// middle of a socket request whose goroutine the debugger stopped is
// answered "agent busy" instead of waiting for a goroutine that cannot run.
//
// Which request goes first is not the clients' business: a Queue, one per
// debug session, gives the host's jobs (prompt inputs, saves, ...) their
// turns in arrival order, and each picks its client when its turn comes.
//
// A Target is the one object per debug session that the host's users of
// the agent share: it owns the debugger, the call client and socket
// client of the current process, the Queue and the socket's endpoint, and
// notes restarts (another process), after which the channels are new.
// The caller keys Targets by its debug session; this package does not
// know the proxy. When the target is stopped with no goroutine that can
// take an injected call (every one parked or inside the runtime: the call
// fails with ErrNoCall), Target.ResumeFor lets it run for one socket
// request and stops it again. A program that runs with no debugger
// (Target.WithoutDebugger) is reached over its socket only.
package agentclient
