package agent

// Sizes of the buffers for debugger-injected calls.
const (
	InboxSize  = 1 << 20
	OutboxSize = 1 << 20
)

// Inbox receives one request, written by the host with the debugger's
// memory write while the target is stopped.
var Inbox [InboxSize]byte

// Outbox holds the response of the last Serve call.
var Outbox [OutboxSize]byte

// Serve handles the request in Inbox[:n] like a socket request (without the
// hello: only a debugger attached to the process can call it) and writes the
// JSON response into Outbox. It returns the response's length, or -1 when n
// is out of range. It is meant to be called by debugger call injection with
// the target stopped, takes and returns only integers for that reason, and
// never blocks on the agent's lock: when another operation holds it (for
// example a socket client on a goroutine the debugger stopped), the response
// says the agent is busy.
func Serve(n int) int {
	if n < 0 || n > len(Inbox) {
		return -1
	}
	out, after := handleBytes(Inbox[:n], machine.mu.TryLock, nil)
	if len(out) > len(Outbox) {
		out = []byte(`{"ok":false,"error":"response too large for the agent outbox"}`)
	}
	n = copy(Outbox[:], out)
	after() // the debugger reads the response once the program runs again
	return n
}
