package patcher

import (
	"context"
	"fmt"
	"go/token"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/usermod"
)

// typeInfo is the type information of a build, loaded in the background
// when Build reused the previous build. done is closed when the fields are
// set; they do not change after.
type typeInfo struct {
	done chan struct{}
	fset *token.FileSet
	pkgs []*packages.Package
	std  []*packages.Package // the packages the agent carries (loaded.std)
	err  error
}

// loaded reports whether the load is done: then its results answer even
// a caller whose context has ended.
func (ti *typeInfo) loaded() bool {
	select {
	case <-ti.done:
		return true
	default:
		return false
	}
}

// loadTypeInfo starts loading the user's packages for a build that skipped
// loading, and returns at once. The load does not end with ctx: it outlives
// Build, whose caller may end its context when the build is done.
func loadTypeInfo(ctx context.Context, opts Options, mods *usermod.Modules, env []string) *typeInfo {
	ti := &typeInfo{done: make(chan struct{})}
	go func() {
		defer close(ti.done)
		l, err := load(context.WithoutCancel(ctx), &opts, mods, env)
		if err != nil {
			ti.err = fmt.Errorf("load type information: %w", err)
			return
		}
		ti.fset, ti.pkgs, ti.std = l.fset, l.user, l.std
	}()
	return ti
}

// TypeInfo returns the user's packages of the build, loaded and
// type-checked once (syntax with function bodies, types and type
// information), sorted by import path, and the file set of their
// positions; they must not be modified. After a full build they are
// r.Fset and r.Packages. After a build that reused the previous one
// (r.Reused), Build starts loading them in the background before it
// returns and TypeInfo waits for that load (which sees the files as they
// are then, normally the ones the binary was built from) or for ctx to
// end; a finished load answers whatever ctx says. TypeInfo is safe for concurrent use; every call returns the same
// values.
func (r *Result) TypeInfo(ctx context.Context) (*token.FileSet, []*packages.Package, error) {
	if r.typeInfo == nil {
		return r.Fset, r.Packages, nil
	}
	if r.typeInfo.loaded() {
		return r.typeInfo.fset, r.typeInfo.pkgs, r.typeInfo.err
	}
	select {
	case <-r.typeInfo.done:
		return r.typeInfo.fset, r.typeInfo.pkgs, r.typeInfo.err
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("type information: %w", ctx.Err())
	}
}

// AgentPackages returns the standard-library and dependency packages whose
// symbols the build gives the agent's interpreter, sorted by import path:
// those the user's packages import directly and a default set (bytes,
// errors, fmt, ...), linked or not. A linked package outside this set is
// not available to interpreted code. It waits as TypeInfo does.
func (r *Result) AgentPackages(ctx context.Context) ([]*packages.Package, error) {
	if r.typeInfo == nil {
		return r.agentStd, nil
	}
	if r.typeInfo.loaded() {
		return r.typeInfo.std, r.typeInfo.err
	}
	select {
	case <-r.typeInfo.done:
		return r.typeInfo.std, r.typeInfo.err
	case <-ctx.Done():
		return nil, fmt.Errorf("type information: %w", ctx.Err())
	}
}
