package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/livepatch/livepatch/integration/bench/replay"
)

// bench is one run of the command: its options, and the report the parts
// add their rows to.
type bench struct {
	ctx   context.Context
	o     *options
	root  string // the livepatch module's directory
	proxy string // the user's GOPROXY, for the replay's downloads ("": the go command's default)
	logf  logFunc
	rep   *Report
}

// fail records a part's error in the report.
func (b *bench) fail(err error) {
	b.logf("FAILED: %v", err)
	b.rep.Errors = append(b.rep.Errors, err.Error())
}

// runParts runs the selected parts, in a fixed order.
func (b *bench) runParts(selected map[string]bool) {
	if selected["proxy"] {
		rows, err := benchLatency(b.ctx, latencyOptions{root: b.root, n: b.o.n, warmup: b.o.warmup}, b.logf)
		b.check(err)
		b.rep.Latency = rows
	}
	if selected["start"] || selected["build"] || selected["size"] {
		b.programParts(selected)
	}
	if selected["prologue"] {
		rows, err := benchPrologue(b.ctx, b.root, b.o.prologueRuns, b.o.benchtime, b.logf)
		b.check(err)
		b.rep.Prologue = rows
	}
	if selected["prompt"] {
		rows, err := benchPrompt(b.ctx, promptOptions{root: b.root, n: b.o.n, warmup: b.o.warmup}, b.logf)
		b.check(err)
		b.rep.Prompt = rows
	}
	if selected["save"] {
		b.savePart()
	}
	if selected["patchcall"] {
		rows, err := benchPatchCall(b.ctx, b.root, b.o.prologueRuns, b.o.benchtime, b.logf)
		b.check(err)
		b.rep.PatchCall = rows
	}
	if selected["native"] {
		row, err := benchNative(b.ctx, b.root, nativeOptions{saves: b.o.nativeSaves, samples: b.o.nativeSamples, burst: b.o.nativeBurst}, b.logf)
		if b.check(err); err == nil {
			b.rep.Native = &row
		}
	}
	if selected["debug"] {
		row, err := benchDebug(b.ctx, b.root, debugOptions{saves: b.o.debugSaves, steps: b.o.debugSteps}, b.logf)
		if b.check(err); err == nil {
			b.rep.Debug = &row
		}
	}
	if selected["replay"] {
		b.replayPart()
	}
}

// check records err, if any.
func (b *bench) check(err error) {
	if err != nil {
		b.fail(err)
	}
}

// programNames returns the names of -programs.
func (b *bench) programNames() []string {
	var names []string
	for name := range strings.SplitSeq(b.o.programs, ",") {
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// programParts runs the start, build and size parts that are selected on
// each program of -programs.
func (b *bench) programParts(selected map[string]bool) {
	var progs []*program
	for _, name := range b.programNames() {
		var p *program
		var err error
		switch name {
		case "counter":
			p, err = counterProgram(b.ctx, b.root)
		case "dlv":
			b.logf("copying delve's module from the module cache")
			p, err = delveProgram(b.ctx, os.TempDir())
			if p != nil {
				defer os.RemoveAll(p.modDir)
			}
		default:
			err = fmt.Errorf("unknown program %q (programs: counter, dlv)", name)
		}
		if err != nil {
			b.fail(err)
			continue
		}
		progs = append(progs, p)
		b.rep.Programs = append(b.rep.Programs, p.info())
	}
	for _, p := range progs {
		if selected["start"] {
			row, err := benchStart(b.ctx, p, b.o.starts, b.logf)
			if b.check(err); err == nil {
				b.rep.Start = append(b.rep.Start, row)
			}
		}
		if selected["size"] {
			row, warm, err := benchSize(b.ctx, p, b.logf)
			if b.check(err); err == nil {
				b.rep.Size = append(b.rep.Size, row)
				b.rep.WarmBuild = append(b.rep.WarmBuild, warm)
			}
		}
		if selected["build"] {
			row, err := benchColdBuild(b.ctx, p, b.o.cold, b.logf)
			if b.check(err); err == nil {
				b.rep.Build = append(b.rep.Build, row)
			}
		}
	}
}

// savePart runs the save part on each program of -programs.
func (b *bench) savePart() {
	for _, name := range b.programNames() {
		var p *saveProgram
		var err error
		switch name {
		case "counter":
			p, err = counterSaveProgram(b.ctx, b.root, os.TempDir())
		case "dlv":
			b.logf("save: copying delve's module from the module cache")
			p, err = delveSaveProgram(b.ctx, os.TempDir())
		default:
			err = fmt.Errorf("unknown program %q (programs: counter, dlv)", name)
		}
		if err != nil {
			b.fail(err)
			continue
		}
		b.rep.SavePrograms = append(b.rep.SavePrograms, p.info())
		rows, restart, err := benchSave(b.ctx, p, saveOptions{saves: b.o.saves, warmup: b.o.saveWarmup, restarts: b.o.restarts}, b.logf)
		p.cleanup()
		b.rep.Save = append(b.rep.Save, rows...)
		if err != nil {
			b.fail(err)
			continue
		}
		b.rep.Restart = append(b.rep.Restart, restart)
	}
}

// replayPart replays the modules of -modules.
func (b *bench) replayPart() {
	o := replay.Options{Pairs: b.o.pairs, Settle: b.o.settle, Proxy: b.proxy}
	if b.o.from != "" {
		o.From = strings.Split(b.o.from, ",")
	}
	for name := range strings.SplitSeq(b.o.modules, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		m, ok := replay.Find(name)
		if !ok {
			b.fail(fmt.Errorf("unknown module %q (modules: %s)", name, strings.Join(replay.Names(), ", ")))
			continue
		}
		b.rep.ReplayModules = append(b.rep.ReplayModules, m.Info())
		steps, err := replay.Bench(b.ctx, m, o, b.logf)
		b.rep.Replay = append(b.rep.Replay, steps...)
		b.check(err)
	}
}
