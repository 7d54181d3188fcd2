package interp

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestAgentDependencies is a statement of policy: the target-side agent
// imports only the standard library and yaegi (ARCHITECTURE decision 5).
func TestAgentDependencies(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", AgentImportPath)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, std, _ := strings.Cut(line, " ")
		switch {
		case std == "true", path == AgentImportPath,
			path == "github.com/traefik/yaegi" || strings.HasPrefix(path, "github.com/traefik/yaegi/"):
			n++
		default:
			t.Errorf("the agent depends on %s; it may import only the standard library and yaegi", path)
		}
	}
	if n == 0 {
		t.Errorf("go list printed no packages")
	}
}
