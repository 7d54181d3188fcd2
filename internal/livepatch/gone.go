package livepatch

import (
	"context"
	"errors"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/livepatch/livepatch/internal/change"
)

// A file of the build that is removed from disk is, for the package on
// disk, a file that declares nothing: its save plans the removal of what
// it declared as any other save plans a removed function, type or
// variable (live when no compiled code left unpatched uses it; otherwise
// it waits for those functions), and the saves of the other files of its
// package take it with them.

// goneText returns the text that stands for file, a compiled file of the
// build that is gone from disk (err is how reading it failed): its
// package clause alone. It returns nil when file was not compiled (build
// constraints left it out), or err is not that it does not exist.
func (st *session) goneText(ctx context.Context, b *change.Build, file string, err error) []byte {
	compiled, built := b.Compiled(file)
	if !errors.Is(err, fs.ErrNotExist) || !built || !st.m.changes.Compiled(ctx, file) {
		return nil
	}
	f, perr := parser.ParseFile(token.NewFileSet(), file, compiled, parser.PackageClauseOnly)
	if perr != nil {
		return nil
	}
	return []byte("package " + f.Name.Name + "\n")
}

// goneFiles returns, for each compiled file of dir but skip that is gone
// from disk, the text that stands for it (goneText).
func (st *session) goneFiles(ctx context.Context, b *change.Build, dir, skip string) map[string][]byte {
	out := map[string][]byte{}
	for f := range b.CompiledFiles() {
		if f == skip || filepath.Dir(f) != dir {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			if src := st.goneText(ctx, b, f, err); src != nil {
				out[f] = src
			}
		}
	}
	return out
}
