package patcher

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestHideNewFiles checks that a plugin build does not see a Go file that
// appeared in a package directory of the build after its overlay was
// written, and keeps the others (replaced, or on disk since before).
func TestHideNewFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, at time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("package p\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
		return p
	}
	built := time.Now().Add(-time.Hour)
	overlay := write("overlay.json", built)
	instrumented := write("a.go", built.Add(time.Minute)) // saved since: its overlay copy is the build's
	excluded := write("a_windows.go", built.Add(-time.Minute))
	added := write("new.go", built.Add(time.Minute))
	replace := map[string]string{instrumented: "/build/a.go"}
	if err := hideNewFiles(replace, nil, overlay); err != nil {
		t.Fatal(err)
	}
	if got, ok := replace[added]; !ok || got != "" {
		t.Errorf("new file: replacement %q (%t), want it hidden", got, ok)
	}
	if _, ok := replace[excluded]; ok {
		t.Error("a file on disk before the build is hidden")
	}
	if replace[instrumented] != "/build/a.go" {
		t.Errorf("instrumented file: replacement %q", replace[instrumented])
	}

	// With the build's files listed, time does not matter: a file of the
	// build without functions (not in the overlay) stays, however new.
	plain := write("types.go", built.Add(time.Minute))
	replace = map[string]string{instrumented: "/build/a.go"}
	if err := hideNewFiles(replace, []string{instrumented, plain}, overlay); err != nil {
		t.Fatal(err)
	}
	if _, ok := replace[plain]; ok {
		t.Error("a file of the build is hidden")
	}
	if got, ok := replace[added]; !ok || got != "" {
		t.Errorf("new file, files listed: replacement %q (%t), want it hidden", got, ok)
	}
}

// TestPinFiles checks that the files the build compiles from disk are
// copied as they are at build time, and the overlay's are not.
func TestPinFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	types := write("types.go", "package p\n\ntype T int\n")
	funcs := write("funcs.go", "package p\n\nfunc F() {}\n")
	pinned, err := pinFiles(filepath.Join(dir, "pinned"), []string{funcs, types}, map[string]string{funcs: "/build/funcs.go"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pinned[funcs]; ok || len(pinned) != 1 {
		t.Fatalf("pinned %v, want types.go alone", pinned)
	}
	write("types.go", "package p\n\ntype T string\n") // a save
	if got, err := os.ReadFile(pinned[types]); err != nil || string(got) != "package p\n\ntype T int\n" {
		t.Errorf("pinned copy %q (%v), want the build's text", got, err)
	}
}
