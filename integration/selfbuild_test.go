package integration

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/testenv"
)

// TestOwnPackagesPatchable builds some of this repository's own packages'
// tests patchably, as `livepatch build --test` does, and checks they pass.
func TestOwnPackagesPatchable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds several test binaries; skipped with -short")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"internal/dapproxy", "internal/prompt", "examples/counter"} {
		t.Run(pkg, func(t *testing.T) {
			ctx := testenv.Context(t)
			out := filepath.Join(t.TempDir(), "pkg.test")
			if _, err := patcher.Build(ctx, patcher.Options{Dir: root, Packages: []string{"./" + pkg}, Output: out, Test: true}); err != nil {
				t.Fatalf("patchable test build: %v", err)
			}
			cmd := exec.CommandContext(ctx, out, "-test.count=1")
			cmd.Dir = filepath.Join(root, pkg)
			cmd.WaitDelay = 5 * time.Second
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("tests of %s fail in a patchable build: %v\n%s", pkg, err, b)
			}
		})
	}
}
