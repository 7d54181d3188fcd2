package rewrite

import (
	"testing"

	"github.com/livepatch/livepatch/internal/rewrite/workaround"
	"github.com/livepatch/livepatch/target/agent"
)

// TestGoPackageNames checks that the rewriting of go statements names the
// agent's package and function as the agent registers them (package
// workaround cannot import the agent).
func TestGoPackageNames(t *testing.T) {
	if workaround.GoPackage != agent.GoPackage || workaround.GoStart != agent.GoStart {
		t.Errorf("workaround writes %s.%s, the agent registers %s.%s", workaround.GoPackage, workaround.GoStart, agent.GoPackage, agent.GoStart)
	}
}
