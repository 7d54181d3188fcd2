package prompt

import (
	"testing"
	"time"
)

// TestDefaultTimeoutFitsClients checks that an input stopped at the default
// time limit is answered before the shortest request timeout of the
// editors livepatch supports (dape: 10 s), allowing the second the agent
// waits for an input blocked in compiled code: otherwise the user reads
// the client's "timed out", not livepatch's answer (issue 18).
func TestDefaultTimeoutFitsClients(t *testing.T) {
	const shortestClientTimeout = 10 * time.Second // dape's request timeout
	const agentGrace = time.Second                 // target/agent stopGrace
	if DefaultTimeout+agentGrace >= shortestClientTimeout {
		t.Errorf("DefaultTimeout %v + %v grace does not answer before a client's %v", DefaultTimeout, agentGrace, shortestClientTimeout)
	}
}
