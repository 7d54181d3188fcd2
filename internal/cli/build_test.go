package cli

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/testenv"
)

// TestPatchBuilderHasTypeInfo builds the example twice, the second build
// reusing the first, and checks that each build's type information is
// loaded when PatchBuilder returns: a load still running when Delve starts
// the program loses its go command to Delve's wait for any child.
func TestPatchBuilderHasTypeInfo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example program twice")
	}
	ctx := testenv.Context(t)
	out := filepath.Join(t.TempDir(), "counter")
	for i := range 2 {
		var res *patcher.Result
		b := PatchBuilder{Log: testenv.Logger(t, "patcher"), Built: func(r *patcher.Result) { res = r }}
		req := dapproxy.BuildRequest{Dir: filepath.Join("..", "..", "examples", "counter"), Packages: []string{"."}, Output: out}
		if err := b.Build(ctx, req, io.Discard); err != nil {
			t.Fatalf("build %d: %v", i, err)
		}
		if i == 1 && !res.Reused {
			t.Fatalf("the second build did not reuse the first")
		}
		done, cancel := context.WithCancel(ctx)
		cancel()
		if _, pkgs, err := res.TypeInfo(done); err != nil || len(pkgs) == 0 {
			t.Errorf("build %d: type information not loaded when the builder returned: %d packages, %v", i, len(pkgs), err)
		}
	}
}
