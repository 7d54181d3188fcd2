package fidelitygap

import "testing"

// TestRunsCompiled passes only when Running runs as compiled code.
func TestRunsCompiled(t *testing.T) {
	const want = "github.com/livepatch/livepatch/integration/testdata/fidelitygap.Running"
	if got := Running(); got != want {
		t.Errorf("Running: the runtime finds %q running it, want %q (compiled)", got, want)
	}
}
