package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveEdit(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "counter.go")
	src := "package main\n\n// step is one.\nfunc (c *Counter) step() int {\n\treturn 1\n}\n\nfunc other() {}\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := newSaveEdit(file, "main.(*Counter).step", "func (c *Counter) step() int {\n\treturn 1\n}", "func (c *Counter) step() int {\n\treturn %d\n}")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.patched(), "patched main.(*Counter).step (counter.go:4)"; got != want {
		t.Errorf("patched() = %q, want %q", got, want)
	}
	got := string(e.content(7))
	if want := strings.Replace(src, "return 1", "return 7", 1); got != want {
		t.Errorf("content(7) = %q, want %q", got, want)
	}
	if string(e.content(8)) == got {
		t.Error("two edits give the same content")
	}
	if err := os.WriteFile(file, e.content(9), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.restore(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); string(b) != src {
		t.Errorf("after restore: %q, want the original", b)
	}

	for _, bad := range []struct{ decl, body string }{
		{"func nosuch() {}", "func nosuch() { _ = %d }"},                                                   // not in the file
		{"func (c *Counter) step() int {\n\treturn 1\n}", "func (c *Counter) step() int {\n\treturn 2\n}"}, // no %d
		{"func (c *Counter) step() int {\n\treturn 1\n}", "func (c *Counter) step() int { return %d }"},    // moves lines
	} {
		if _, err := newSaveEdit(file, "f", bad.decl, bad.body); err == nil {
			t.Errorf("newSaveEdit(%q, %q) accepted a bad edit", bad.decl, bad.body)
		}
	}
}

func TestTickCounts(t *testing.T) {
	out := "05:00:01 tick 1: count=3 callers=0\n05:00:02 tick 2: count=10 callers=0\n"
	counts := tickCounts(out)
	if len(counts) != 2 || counts[0] != 3 || counts[1] != 10 {
		t.Fatalf("tickCounts = %v, want [3 10]", counts)
	}
	if !stepsBy(counts, 7) || stepsBy(counts, 1) || stepsBy(counts[:1], 3) {
		t.Errorf("stepsBy on %v is wrong", counts)
	}
	if got := tickCounts("counter: listening on http://127.0.0.1:1\n"); len(got) != 0 {
		t.Errorf("tickCounts of a non-tick line = %v", got)
	}
}

func TestGoDirective(t *testing.T) {
	path := filepath.Join(t.TempDir(), "go.mod")
	if err := os.WriteFile(path, []byte("module m\n\ngo 1.26.8\n\nrequire x v1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := goDirective(path); err != nil || got != "go 1.26.8" {
		t.Errorf("goDirective = %q, %v; want go 1.26.8", got, err)
	}
	if err := os.WriteFile(path, []byte("module m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := goDirective(path); err == nil {
		t.Error("goDirective accepted a go.mod without a go line")
	}
}

func TestSaveRowMet(t *testing.T) {
	for _, tc := range []struct {
		r    SaveRow
		want bool
	}{
		{SaveRow{MedianMs: 20, P95Ms: 90, TargetMedianMs: 30, TargetP95Ms: 100}, true},
		{SaveRow{MedianMs: 20, P95Ms: 120, TargetMedianMs: 30, TargetP95Ms: 100}, false},
		{SaveRow{MedianMs: 52, P95Ms: 60, TargetMedianMs: 30, TargetP95Ms: 100}, false},
		{SaveRow{MedianMs: 59, P95Ms: 500, TargetMedianMs: 60}, true}, // no p95 target
	} {
		if got := tc.r.met(); got != tc.want {
			t.Errorf("%+v met() = %v, want %v", tc.r, got, tc.want)
		}
	}
	if ratio(3, 0) != 0 || ratio(3, 2) != 1.5 {
		t.Error("ratio is wrong")
	}
}
