package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/target/agent/wire"
)

func TestProloguePatches(t *testing.T) {
	m := &patcher.Manifest{Functions: []patcher.Function{
		{Key: "example.com/prologue.nop", Patchable: true},
		{Key: "example.com/prologue.add", Patchable: true},
		{Key: "example.com/prologue.(*Point).Move", Patchable: true},
		{Key: "example.com/prologue.Point.Sum", Patchable: true},
		{Key: "example.com/prologue.touch", Patchable: true},
		{Key: "example.com/prologue.main", Patchable: true},
	}}
	ps, err := prologuePatches(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != len(replacements) {
		t.Fatalf("got %d patches, want %d", len(ps), len(replacements))
	}
	if ps[2].Key != "example.com/prologue.(*Point).Move" || !strings.Contains(ps[2].Source, "p.X += dx") {
		t.Errorf("Move's patch = %+v", ps[2])
	}
	m.Functions[3].Patchable = false
	if _, err := prologuePatches(m); err == nil {
		t.Error("prologuePatches accepted a manifest where Point.Sum is not patchable")
	}
}

func TestCheckPatched(t *testing.T) {
	ps := []wire.Patch{{Ref: wire.Ref{Key: "a"}}, {Ref: wire.Ref{Key: "b"}}}
	if err := checkPatched(ps, []wire.PatchedFunc{{Ref: wire.Ref{Key: "b"}}, {Ref: wire.Ref{Key: "a"}}}); err != nil {
		t.Errorf("all patched: %v", err)
	}
	err := checkPatched(ps, []wire.PatchedFunc{{Ref: wire.Ref{Key: "a"}}})
	if err == nil || !strings.Contains(err.Error(), "b") {
		t.Errorf("b missing: got %v", err)
	}
}

func TestSaveRowsRender(t *testing.T) {
	rep := &Report{
		Date: "2026-01-02 03:04 UTC", Command: "go run ./integration/bench -only=save,patchcall -md", Platform: "linux/amd64", CPUs: 2,
		SavePrograms: []SaveProgramInfo{{Name: "counter", Source: "examples/counter (copied)", Lines: 148, Packages: 1,
			Edit: "`return 1` → `return N`", Breakpoint: "main.go:26", ProgramArgs: "-addr 127.0.0.1:0"}},
		Save: []SaveRow{
			{Program: "counter", State: "running", QuietMs: 50, N: 3, MedianMs: 52.04, P95Ms: 53, TargetMedianMs: 30, TargetP95Ms: 100},
			{Program: "counter", State: "paused", QuietMs: 1, N: 3, MedianMs: 12, P95Ms: 15, TargetMedianMs: 60},
		},
		Restart: []RestartRow{{Program: "counter", Runs: 2, MedianS: 0.72, RunningMs: 52, RatioRunning: 13.8,
			PausedMs: 60, RatioPaused: 12, QuietRunningMs: 50, QuietPausedMs: 48, FreeMs: 24, RatioFree: 30}},
		PatchCall: []PatchCallRow{{Benchmark: "Method", Runs: 2, PlainNs: 1.7, UnpatchedNs: 2.6, PatchedNs: 2492,
			AddedNs: 2490.3, PatchedAllocs: 14, TargetNs: 2000}},
	}
	var md, text bytes.Buffer
	if err := rep.writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| counter | examples/counter (copied) | 1 | 148 | `return 1` → `return N` | main.go:26 | -addr 127.0.0.1:0 |",
		"| counter | running | 50 ms | 3 | 52.0 | 53.0 | <= 30 | <= 100 | NO |",
		"| counter | paused | 1 ms | 3 | 12.0 | 15.0 | <= 60 | - | yes |",
		"| counter | 2 | 0.72 | 52.0 | 14x | 60.0 | 12x | 24.0 | 30x | 50.0 / 48.0 |",
		"| Method | 2 | 1.70 | 2.60 | 2492.0 | 2490.3 | NO | 14.00 |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	if err := rep.writeText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "Patched call cost") {
		t.Errorf("text report lacks the patched call table:\n%s", text.String())
	}
}
