package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/patcher"
)

// patchBuilder is a dapproxy.Builder that makes patchable debug builds with
// patcher.Build, the way `livepatch debug` builds. It is safe for
// concurrent use when the builds are of different modules.
type patchBuilder struct{ log *slog.Logger }

// Build builds req with patcher.Build; a leading -C flag becomes the
// build directory, as the go command would treat it.
func (b patchBuilder) Build(ctx context.Context, req dapproxy.BuildRequest, progress io.Writer) error {
	dir, flags := req.Dir, req.Flags
	if len(flags) >= 2 && flags[0] == "-C" {
		dir, flags = flags[1], flags[2:]
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(req.Dir, dir)
		}
	}
	_, err := patcher.Build(ctx, patcher.Options{
		Dir:        dir,
		Packages:   req.Packages,
		Output:     req.Output,
		Test:       req.Test,
		BuildFlags: flags,
		Env:        req.Env,
		Log:        b.log,
		Progress:   progress,
	})
	return err
}
