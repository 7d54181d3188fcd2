package repatch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/native"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// The tiers a repatched run replaces functions in (Options.Tier).
const (
	TierInterpreted = "interpreted"
	TierNative      = "native"
)

// maxNativeBuilds bounds the plugin builds of one package: each build
// after the first leaves out the functions the compiler rejected before.
const maxNativeBuilds = 4

// nativePlugin is a plugin that holds functions of the package under
// test compiled natively, and the symbol of each, by key.
type nativePlugin struct {
	path, pkg string
	symbols   map[string]string
}

// nativeOutcome is what a run's switch to the native tier did: the keys
// of the functions that ran natively, sorted, and those that stayed
// interpreted with why.
type nativeOutcome struct {
	ran   []string
	stays []Refusal
}

// buildNative compiles natively, as the native tier of a save does
// (internal/native), the functions of set that the tier covers, from
// their checked forms, with the test build nb's flags and overlay: one
// plugin per file, since each file's functions were checked as a change
// of their own (patchSet). pkg is the package under test. It returns the
// plugins and the functions that stay interpreted, and why. The plugins
// live in b's directory.
func buildNative(ctx context.Context, opts Options, pkg string, b *native.Builder, nb *patcher.NativeBuild, set []wire.Patch, checked map[string]*change.Checked) ([]*nativePlugin, []Refusal) {
	var stays []Refusal
	var files []string
	byFile := map[string][]native.Func{}
	for _, p := range set {
		c := checked[p.Key]
		if c == nil {
			stays = append(stays, nativeRefusal(p.Key, "the native tier does not cover this yet: generic code"))
			continue
		}
		if _, err := native.Source([]*change.Checked{c}); err != nil {
			stays = append(stays, nativeRefusal(p.Key, err.Error()))
			continue
		}
		if byFile[c.File] == nil {
			files = append(files, c.File)
		}
		byFile[c.File] = append(byFile[c.File], native.Func{Key: p.Key, Checked: c})
	}
	progress(opts, "%s: building %d functions natively (%d plugins)", pkg, len(set)-len(stays), len(files))
	var plugins []*nativePlugin
	for _, f := range files {
		pl, rs := buildFile(ctx, b, nb, byFile[f])
		if pl != nil {
			plugins = append(plugins, pl)
		}
		stays = append(stays, rs...)
	}
	return plugins, stays
}

// buildFile builds the plugin of fns, functions of one file; while the
// compiler rejects some of them, it leaves those out and builds the rest.
func buildFile(ctx context.Context, b *native.Builder, nb *patcher.NativeBuild, fns []native.Func) (*nativePlugin, []Refusal) {
	var stays []Refusal
	for attempt := 1; len(fns) > 0; attempt++ {
		pl, err := buildPlugin(ctx, b, nb, fns)
		if err == nil {
			np := &nativePlugin{path: pl.Path, pkg: pl.Package, symbols: map[string]string{}}
			for i, f := range fns {
				np.symbols[f.Key] = pl.Symbols[i]
			}
			return np, stays
		}
		bad := rejected(err, fns, nb.Dir)
		if len(bad) == 0 || attempt == maxNativeBuilds {
			for _, f := range fns {
				stays = append(stays, nativeRefusal(f.Key, err.Error()))
			}
			return nil, stays
		}
		var rest []native.Func
		for _, f := range fns {
			if msg, ok := bad[f.Key]; ok {
				stays = append(stays, nativeRefusal(f.Key, "native build: "+msg))
			} else {
				rest = append(rest, f)
			}
		}
		fns = rest
	}
	return nil, stays
}

// buildPlugin builds the plugin of fns with b and waits for it.
func buildPlugin(ctx context.Context, b *native.Builder, nb *patcher.NativeBuild, fns []native.Func) (*native.Plugin, error) {
	type built struct {
		pl  *native.Plugin
		err error
	}
	done := make(chan built, 1)
	if err := b.Start(ctx, nb, fns, func(pl *native.Plugin, err error) { done <- built{pl, err} }); err != nil {
		return nil, err
	}
	select {
	case r := <-done:
		return r.pl, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// compileError matches a compiler message: file:line:col: message.
var compileError = regexp.MustCompile(`(?m)^(\S+\.go):(\d+):\d+: (.*)$`)

// rejected returns the first message of the compiler's err for each
// function of fns that it points into (a plugin's functions carry //line
// directives naming their files and lines), by key. Relative paths are
// dir's.
func rejected(err error, fns []native.Func, dir string) map[string]string {
	bad := map[string]string{}
	for _, m := range compileError.FindAllStringSubmatch(err.Error(), -1) {
		file := m[1]
		line, _ := strconv.Atoi(m[2])
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		for _, f := range fns {
			c := f.Checked
			from, to := c.Fset.Position(c.Decl.Pos()), c.Fset.Position(c.Decl.End())
			if _, seen := bad[f.Key]; !seen && filepath.Clean(c.File) == file && line >= from.Line && line <= to.Line {
				bad[f.Key] = m[3]
			}
		}
	}
	return bad
}

// nativeRefusal says that the function of key stays interpreted, and why.
func nativeRefusal(key, msg string) Refusal {
	return Refusal{Key: key, Stage: StageNative, Group: summary(msg), Message: msg}
}

// switchNative switches the functions of plugins that replaced names
// (the keys the agent applied of patches) to their native code in the
// agent c, as the native tier of a save does (agent.SwitchNative), one
// plugin at a time.
func switchNative(ctx context.Context, c *agentclient.SocketClient, plugins []*nativePlugin, patches []wire.Patch, replaced []string) nativeOutcome {
	var out nativeOutcome
	applied := map[string]bool{}
	for _, k := range replaced {
		applied[k] = true
	}
	for _, pl := range plugins {
		n := &wire.Native{Plugin: pl.path, Package: pl.pkg}
		for _, p := range patches {
			if sym, ok := pl.symbols[p.Key]; ok && applied[p.Key] {
				n.Funcs = append(n.Funcs, wire.NativeFunc{Ref: wire.Ref{Key: p.Key}, Symbol: sym, Source: p.Source})
			}
		}
		ran, stays := switchPlugin(ctx, c, n)
		out.ran = append(out.ran, ran...)
		out.stays = append(out.stays, stays...)
	}
	sort.Strings(out.ran)
	return out
}

// switchPlugin switches the functions of n; while the agent refuses some
// of them, it drops those and switches the rest. A plugin the agent
// cannot load leaves its functions interpreted; the tests run either way.
func switchPlugin(ctx context.Context, c *agentclient.SocketClient, n *wire.Native) (ran []string, stays []Refusal) {
	for len(n.Funcs) > 0 {
		err := c.Native(ctx, n)
		if err == nil {
			break
		}
		bad := map[string]wire.Error{}
		var ae *agentclient.AgentError
		if errors.As(err, &ae) {
			for _, f := range ae.Failures {
				bad[f.Func] = f
			}
		}
		var rest []wire.NativeFunc
		for _, f := range n.Funcs {
			if e, ok := bad[f.Key]; ok {
				stays = append(stays, nativeRefusal(f.Key, "switch: "+e.Error()))
			} else {
				rest = append(rest, f)
			}
		}
		if len(rest) == len(n.Funcs) { // a failure of the whole switch
			for _, f := range n.Funcs {
				stays = append(stays, nativeRefusal(f.Key, fmt.Sprintf("switch: %v", err)))
			}
			return nil, stays
		}
		n.Funcs = rest
	}
	for _, f := range n.Funcs {
		ran = append(ran, f.Key)
	}
	return ran, stays
}

// nativeRun is the native tier of one package's runs: the plugin, its
// builder (whose directory holds it), the functions that stay
// interpreted and the outcome of the last run's switch.
type nativeRun struct {
	plugins []*nativePlugin
	builder *native.Builder
	stays   []Refusal
	last    nativeOutcome
}

// startNative builds the plugin of pr's patch set when opts ask for the
// native tier; nil otherwise. Close it when the runs are done.
func startNative(ctx context.Context, opts Options, pr *PackageReport, res *patcher.Result, set []wire.Patch, checked map[string]*change.Checked) *nativeRun {
	if opts.Tier != TierNative || len(set) == 0 {
		return nil
	}
	nr := &nativeRun{builder: native.NewBuilder()}
	if res.Native == nil {
		for _, p := range set {
			nr.stays = append(nr.stays, nativeRefusal(p.Key, "the build gives no plugin flags"))
		}
		return nr
	}
	nr.plugins, nr.stays = buildNative(ctx, opts, pr.Path, nr.builder, res.Native, set, checked)
	return nr
}

// prepare sets r to switch to the native tier, if any.
func (nr *nativeRun) prepare(r *heldRun) {
	if nr == nil {
		return
	}
	nr.last = nativeOutcome{}
	r.native, r.tiers = nr.plugins, &nr.last
}

// record notes in pr which of its replaced functions ran natively and
// why the others stayed interpreted.
func (nr *nativeRun) record(pr *PackageReport) {
	if nr == nil {
		return
	}
	pr.RanNative = nr.last.ran
	native := map[string]bool{}
	for _, k := range nr.last.ran {
		native[k] = true
	}
	replaced := map[string]bool{}
	for _, k := range pr.Replaced {
		replaced[k] = true
	}
	pr.StayedInterpreted = nil
	for _, s := range append(append([]Refusal(nil), nr.stays...), nr.last.stays...) {
		if replaced[s.Key] && !native[s.Key] {
			pr.StayedInterpreted = append(pr.StayedInterpreted, s)
		}
	}
}

// close removes the plugin.
func (nr *nativeRun) close() {
	if nr != nil {
		nr.builder.Close()
	}
}
