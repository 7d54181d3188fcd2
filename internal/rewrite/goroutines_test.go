package rewrite

import (
	"testing"

	"github.com/livepatch/livepatch/internal/rewrite/workaround"
	"github.com/livepatch/livepatch/target/agent"
)

// TestGoPackageNames checks that the rewriting of go statements and of
// recover names the agent's package and functions as the agent registers
// them (package workaround cannot import the agent).
func TestGoPackageNames(t *testing.T) {
	if workaround.GoPackage != agent.GoPackage || workaround.GoStart != agent.GoStart || workaround.GoRecovered != agent.GoRecovered {
		t.Errorf("workaround writes %s.%s and %s, the agent registers %s.%s and %s", workaround.GoPackage, workaround.GoStart, workaround.GoRecovered, agent.GoPackage, agent.GoStart, agent.GoRecovered)
	}
}
