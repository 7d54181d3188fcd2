// Package dapproxy relays the Debug Adapter Protocol between a client (an
// editor, or livepatch's own terminal debugger) and a Delve DAP session that
// runs in the same process, and owns the Delve debugger behind that session.
//
// The proxy is transparent: every message is passed on without changing its
// meaning. Only sequence numbers are rewritten, because the proxy sends
// messages of its own in both directions: seq is renumbered per direction and
// a response's request_seq is mapped back to the number the requester used.
//
// The proxy intercepts a few requests before they reach Delve:
//
//   - launch (modes debug, test and exec): the proxy builds the program itself,
//     creates the debugger with debugger.New and hands it to a fresh Delve
//     session through a remote attach. Holding the debugger lets livepatch make
//     calls that Delve's DAP layer refuses, halt a call that hangs, and read and
//     write target memory. Launch env and dlvCwd apply to the build and the
//     debuggee, never to the livepatch process.
//   - launch with noDebug (modes debug, test and exec): the proxy builds the
//     program and runs it with no debugger (nodebug.go); terminate sends it
//     SIGINT, restart (or Session.Restart) rebuilds and starts it again.
//   - restart: the proxy rebuilds with the same builder, then lets Delve
//     restart the process from the new binary, keeping breakpoints.
//   - requests registered with Proxy.Handle, for livepatch's own commands.
//
// Events of Delve's registered with Proxy.HandleEvent are rewritten (or
// dropped) before the client sees them, e.g. to translate their positions.
// The program's output (outputMode "remote") goes through the filter
// registered with Proxy.FilterOutput, e.g. to rewrite its tracebacks.
//
// Each direction has one writer goroutine with an unbounded queue, so a Delve
// busy in a long call never blocks reading the client, and a slow client never
// blocks Delve.
package dapproxy
