package native

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/tempdir"
)

// Func is one function of a change to build natively.
type Func struct {
	Key     string
	Checked *change.Checked
}

// Plugin is a built plugin: its path and the symbols of the replacements,
// in the order of the functions built.
type Plugin struct {
	Path string
	// Package is the plugin's package path, under which it registers
	// its functions with the agent as it loads.
	Package string
	Symbols []string
	// Funcs are the symbols' functions as the binary names them (the
	// plugin package's import path, then the symbol): the names a
	// debugger sees.
	Funcs []string
	Took  time.Duration
	// The parts of Took, for the log: Main compiling package main for
	// plugins (the session's first plugin of main), Go the go command.
	Main, Go time.Duration
	// Queued is how long the build waited for the one before.
	Queued time.Duration
}

// UnavailableError says that the native tier cannot work for this
// program at all (no cgo, a platform without plugins): no later change
// will build either.
type UnavailableError struct {
	Reason string
}

func (e *UnavailableError) Error() string { return "native tier unavailable: " + e.Reason }

// Builder builds the native plugins of one debug session, one at a time
// (the machine's cores are better spent finishing one than sharing them),
// in a private directory it removes on Close. Its methods are safe for
// concurrent use.
type Builder struct {
	mu       sync.Mutex
	dir      string
	next     int
	inflight map[string]*job // by function key
	sem      chan struct{}
	closed   bool
	mains    map[string]*patcher.PluginMain // package main for plugins, by path
}

// job is a build in flight.
type job struct {
	keys   []string
	cancel context.CancelFunc
}

// NewBuilder returns a builder with nothing in flight.
func NewBuilder() *Builder {
	return &Builder{inflight: map[string]*job{}, sem: make(chan struct{}, 1)}
}

// Start builds the plugin of fns, the functions of one change, in the
// background with the host build nb's flags and overlay, and calls done
// with it or with an error, unless the build was superseded (Cancel, or a
// later Start of one of its functions), which it drops silently. Source
// errors (*NotCoveredError) come back at once, from Start itself.
func (b *Builder) Start(ctx context.Context, nb *patcher.NativeBuild, fns []Func, done func(*Plugin, error)) error {
	checked := make([]*change.Checked, len(fns))
	keys := make([]string, len(fns))
	for i, f := range fns {
		checked[i], keys[i] = f.Checked, f.Key
	}
	src, err := Source(checked)
	if err != nil {
		return err
	}
	if nb == nil {
		return notCovered("the build gives no plugin flags")
	}
	ctx, cancel := context.WithCancel(ctx)
	j := &job{keys: keys, cancel: cancel}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		cancel()
		return errors.New("native: builder closed")
	}
	for _, k := range keys {
		if old := b.inflight[k]; old != nil {
			old.cancel()
		}
		b.inflight[k] = j
	}
	b.mu.Unlock()
	go func() {
		defer b.finish(j)
		p, err := b.build(ctx, nb, checked, src)
		if ctx.Err() != nil {
			return // superseded
		}
		done(p, err)
	}()
	return nil
}

// Cancel drops the builds in flight of keys.
func (b *Builder) Cancel(keys []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range keys {
		if j := b.inflight[k]; j != nil {
			j.cancel()
		}
	}
}

// finish forgets job j.
func (b *Builder) finish(j *job) {
	j.cancel()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range j.keys {
		if b.inflight[k] == j {
			delete(b.inflight, k)
		}
	}
}

// Close cancels every build and removes the plugins' directory (plugins
// that a process loaded stay mapped in it).
func (b *Builder) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for _, j := range b.inflight {
		j.cancel()
	}
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}

// build builds one plugin, after the builds before it.
func (b *Builder) build(ctx context.Context, nb *patcher.NativeBuild, fns []*change.Checked, src []byte) (*Plugin, error) {
	queued := time.Now()
	select {
	case b.sem <- struct{}{}:
		defer func() { <-b.sem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	start := time.Now()
	var tookMain time.Duration
	b.mu.Lock()
	if b.dir == "" {
		d, err := tempdir.New("native")
		if err != nil {
			b.mu.Unlock()
			return nil, fmt.Errorf("native: %w", err)
		}
		b.dir = d
	}
	b.next++
	n := b.next
	dir := b.dir
	b.mu.Unlock()
	// A fresh package path per plugin: a process loads a path once. The
	// package lives in the patched package's directory (in the overlay
	// only), so that it may import what that package imports, internal
	// packages included.
	pkgDir := filepath.Join(filepath.Dir(fns[0].File), fmt.Sprintf("lp_native_%d_%d", os.Getpid(), n))
	pkg := fns[0].Compiled.Path() + "/" + filepath.Base(pkgDir)
	var main *patcher.PluginMain
	var placeholders []string
	if fns[0].Compiled.Name() == "main" {
		m, err := b.mainFor(ctx, nb, fns[0].Compiled.Path())
		tookMain = time.Since(start)
		if err != nil {
			return nil, notCovered("package main: %v", err)
		}
		main, placeholders = m, m.Exported
	}
	reg, err := registration(pkg, len(fns), placeholders, src)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "p"+strconv.Itoa(n)+".so")
	goStart := time.Now()
	err = nb.Plugin(ctx, pkgDir, map[string][]byte{"native.go": src, "register.go": reg}, out, main)
	os.RemoveAll(strings.TrimSuffix(out, ".so") + "_src")
	if err != nil {
		if reason := unavailable(err.Error()); reason != "" {
			return nil, &UnavailableError{Reason: reason}
		}
		return nil, err
	}
	p := &Plugin{Path: out, Package: pkg, Took: time.Since(start), Main: tookMain, Go: time.Since(goStart), Queued: start.Sub(queued)}
	for i := range fns {
		p.Symbols = append(p.Symbols, SymbolPrefix+strconv.Itoa(i))
		p.Funcs = append(p.Funcs, pkg+"."+SymbolPrefix+strconv.Itoa(i))
	}
	return p, nil
}

// mainFor returns package main (import path path) compiled for plugins,
// once per session: it depends on the build only. It runs within a build,
// one at a time.
func (b *Builder) mainFor(ctx context.Context, nb *patcher.NativeBuild, path string) (*patcher.PluginMain, error) {
	b.mu.Lock()
	m := b.mains[path]
	b.mu.Unlock()
	if m != nil {
		return m, nil
	}
	m, err := nb.MainForPlugin(ctx, path)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.mains == nil {
		b.mains = map[string]*patcher.PluginMain{}
	}
	b.mains[path] = m
	return m, nil
}

// unavailable returns why a plugin build's failure will not go away for
// this program, or "" when it is particular to one change.
func unavailable(msg string) string {
	for _, s := range []string{"requires cgo", "requires external (cgo) linking", "-buildmode=plugin not supported"} {
		if strings.Contains(msg, s) {
			return "-buildmode=plugin needs cgo and a platform with plugins (" + firstLine(msg) + ")"
		}
	}
	return ""
}

// firstLine returns the first line of s.
func firstLine(s string) string {
	s = strings.TrimPrefix(s, "plugin: ")
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
