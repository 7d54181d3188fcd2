package change

import (
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/patcher"
)

// Checker holds the type information of the latest patchable build, loaded
// once per build on first use, and checks changes against it. Its methods
// are safe for concurrent use.
type Checker struct {
	log *slog.Logger

	mu    sync.Mutex
	build *Build // the latest build's snapshot
}

// NewChecker returns a checker with no type information until UseBuild.
// log receives its log; nil discards it.
func NewChecker(log *slog.Logger) *Checker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Checker{log: log, build: newBuild(nil)}
}

// UseBuild makes the snapshot of a patchable build (Build) the checker's.
// The builder calls it after every successful build (launch and restart),
// right after the go command, so that the sources it reads are those of
// the binary.
func (k *Checker) UseBuild(res *patcher.Result) {
	b := newBuild(res)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.build = b
}

// Build returns the snapshot of the latest build; before the first build,
// an empty one.
func (k *Checker) Build() *Build {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.build
}

// Program returns the type information of the latest build, or nil when
// there is none; it may wait for a background load of the build.
func (k *Checker) Program(ctx context.Context) *Program {
	b := k.Build()
	if b.res == nil {
		return nil
	}
	prog, err := b.Program(ctx)
	if err != nil {
		k.log.Warn("no type information for the Go prompt", "err", err)
		return nil
	}
	return prog
}

// RewriteChange type-checks src, the new text of file (a file of the
// latest build's user packages), with the other files of its package as
// built, and rewrites for the agent the functions named by the keys of
// apply (replacements) and of helpers (declarations the replacements may
// call, such as new functions), together with every type the file
// declares anew and every method it adds to a compiled type. A type error
// anywhere in the package, or a new method that would make a compiled type
// satisfy an interface (compiled code may need it through that
// interface), is a Diagnostics, each at its file:line:col. It is safe for concurrent use.
func (k *Checker) RewriteChange(ctx context.Context, file string, src []byte, apply, helpers []string) (*Change, error) {
	prog := k.Program(ctx)
	if prog == nil {
		return nil, errors.New("rewrite: no type information for this build")
	}
	t0 := time.Now()
	ch, err := prog.rewriteChange(file, src, apply, helpers)
	k.log.Debug("change", "file", file, "took", time.Since(t0), "err", err != nil)
	return ch, err
}

// Compiled reports whether the latest build compiled file: a file of a
// package directory that build constraints leave out (foo_windows.go on
// linux) is not. Without type information, every file counts as compiled.
func (k *Checker) Compiled(ctx context.Context, file string) bool {
	prog := k.Program(ctx)
	if prog == nil {
		return true
	}
	_, ok := prog.file(file)
	return ok
}

// RewriteInput is RewriteChange for a prompt input spliced into a file:
// as at the prompt, a linked package that the file does not import is
// imported for it when its name is unique among the linked packages (on
// the package clause's line, so that no line moves).
func (k *Checker) RewriteInput(ctx context.Context, file string, src []byte, apply, helpers []string) (*Change, error) {
	prog := k.Program(ctx)
	if prog == nil {
		return nil, errors.New("rewrite: no type information for this build")
	}
	for tries := 0; ; tries++ {
		ch, err := prog.rewriteChange(file, src, apply, helpers)
		var ds diag.Diagnostics
		if tries == 3 || !errors.As(err, &ds) {
			return ch, err
		}
		paths := prog.MissingImports(ds)
		fset := token.NewFileSet()
		f, perr := parser.ParseFile(fset, file, src, parser.PackageClauseOnly)
		if len(paths) == 0 || perr != nil {
			return ch, err
		}
		at := fset.File(f.Pos()).Offset(f.Name.End())
		var imp strings.Builder
		for _, path := range paths {
			fmt.Fprintf(&imp, "; import %q", path)
		}
		src = append(append(append([]byte(nil), src[:at]...), imp.String()...), src[at:]...)
	}
}
