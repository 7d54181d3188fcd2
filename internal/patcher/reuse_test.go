package patcher

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/testenv"
	"github.com/livepatch/livepatch/internal/usermod"
)

// copyTree copies the directory src into a new temporary directory and
// returns it, so that a test can edit the files.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// removeBuildDirAfter returns the build directory of a build of dir with
// opts and removes it when the test ends: copies of fixtures live in new
// temporary directories, each with a build directory of its own.
func removeBuildDirAfter(t *testing.T, dir string, opts Options) string {
	t.Helper()
	mods, err := usermod.Find(testenv.Context(t), dir, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	bd, err := buildDirFor(mods, &opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bd) })
	return bd
}

// TestUnchangedTreeReusesBuild builds a copy of a fixture five times: the
// second build, with nothing changed, must skip loading and instrumenting
// and still give a working binary and type information; the third, after
// an edit, must build afresh and the binary must show the edit; the
// fourth, after a file was added, must build afresh too; the fifth, with
// the recorded overlay removed, must fall back to a full build.
func TestUnchangedTreeReusesBuild(t *testing.T) {
	dir := copyTree(t, fixture(t, "basic"))
	out := filepath.Join(t.TempDir(), "basic")
	bd := removeBuildDirAfter(t, dir, Options{Dir: dir})
	build := func() (*Result, string) {
		t.Helper()
		var log bytes.Buffer
		res, err := Build(testenv.Context(t), Options{Dir: dir, Output: out, Log: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatalf("build: %v\nlog:\n%s", err, log.String())
		}
		return res, log.String()
	}
	checkTypeInfo := func(res *Result) {
		t.Helper()
		fset, pkgs, err := res.TypeInfo(testenv.Context(t))
		if err != nil {
			t.Fatalf("TypeInfo: %v", err)
		}
		if fset == nil || len(pkgs) != 2 {
			t.Fatalf("TypeInfo: got file set %v and %d packages, want 2 packages", fset, len(pkgs))
		}
		for _, p := range pkgs {
			if p.Types == nil || p.TypesInfo == nil || len(p.Syntax) == 0 {
				t.Errorf("TypeInfo: package %s has no types, type information or syntax", p.PkgPath)
			}
			for _, f := range p.Syntax {
				if name := fset.File(f.Pos()).Name(); !strings.HasPrefix(name, dir) {
					t.Errorf("TypeInfo: file %s is not in the user's tree %s", name, dir)
				}
			}
		}
	}

	first, log := build()
	if first.Reused {
		t.Fatalf("the first build of a new tree was reused; log:\n%s", log)
	}
	if first.Fset == nil || len(first.Packages) == 0 {
		t.Errorf("a full build leaves Fset or Packages empty")
	}
	checkTypeInfo(first)
	want := run(t, out)

	second, log := build()
	if !second.Reused || !strings.Contains(log, "reused the previous build") || strings.Contains(log, "loaded packages") {
		t.Fatalf("the build of an unchanged tree loaded packages (Reused %t); log:\n%s", second.Reused, log)
	}
	if got := run(t, out); got != want {
		t.Errorf("the reused build prints\n%s\nwant\n%s", got, want)
	}
	if len(second.Manifest.Functions) != len(first.Manifest.Functions) || second.Manifest.Count != first.Manifest.Count || len(second.Skipped) != len(first.Skipped) {
		t.Errorf("the reused build's manifest or skips differ from the first build's")
	}
	m, err := ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Count != first.Manifest.Count || m.Module != first.Manifest.Module {
		t.Errorf("manifest next to the reused binary: count %d module %q, want %d %q", m.Count, m.Module, first.Manifest.Count, first.Manifest.Module)
	}
	checkTypeInfo(second)
	if _, _, err := second.TypeInfo(testenv.Context(t)); err != nil {
		t.Errorf("second TypeInfo call: %v", err)
	}

	main := filepath.Join(dir, "main.go")
	src, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(src, []byte(`"hello, "`), []byte(`"howdy, "`), 1)
	if bytes.Equal(edited, src) {
		t.Fatal("fixture basic has no greeting to edit")
	}
	if err := os.WriteFile(main, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	third, log := build()
	if third.Reused || !strings.Contains(log, "loaded packages") {
		t.Fatalf("the build after an edit was reused; log:\n%s", log)
	}
	if got := run(t, out); !strings.Contains(got, "howdy, world") || got == want {
		t.Errorf("the binary after the edit prints\n%s\nwant the edited greeting", got)
	}
	checkTypeInfo(third)

	// A new file in a package directory is a change too.
	extra := filepath.Join(dir, "shapes", "extra.go")
	if err := os.WriteFile(extra, []byte("package shapes\n\n// Extra is new.\nfunc Extra() int { return 1 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fourth, log := build()
	if fourth.Reused {
		t.Fatalf("the build after adding a file was reused; log:\n%s", log)
	}
	found := false
	for _, f := range fourth.Manifest.Functions {
		found = found || (f.Key == "example.com/basic/shapes.Extra" && f.Patchable)
	}
	if !found {
		t.Errorf("the manifest after adding a file lacks the patchable example.com/basic/shapes.Extra")
	}

	// A recorded build whose overlay is gone (a cleaned cache) falls back
	// to a full build.
	if err := os.RemoveAll(filepath.Join(bd, "overlay")); err != nil {
		t.Fatal(err)
	}
	fifth, log := build()
	if fifth.Reused || !strings.Contains(log, "reusing the previous build failed") {
		t.Fatalf("the build without its overlay did not fall back to a full build (Reused %t); log:\n%s", fifth.Reused, log)
	}
	if got := run(t, out); !strings.Contains(got, "howdy, world") {
		t.Errorf("the binary after the fallback prints\n%s\nwant the edited greeting", got)
	}
}

// TestTypeInfoEndsWithContext checks that TypeInfo returns when its
// context ends before the background load does.
func TestTypeInfoEndsWithContext(t *testing.T) {
	res := &Result{typeInfo: &typeInfo{done: make(chan struct{})}}
	ctx, cancel := context.WithCancel(testenv.Context(t))
	cancel()
	if _, _, err := res.TypeInfo(ctx); err == nil {
		t.Fatal("TypeInfo with an ended context and a pending load: got no error")
	}
}
