package patcher

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestPruneBuildDirs keeps the most recently used build directories, those
// used lately and the current one, and removes the others.
func TestPruneBuildDirs(t *testing.T) {
	root := t.TempDir()
	now := time.Now()
	ages := map[string]time.Duration{
		"a": 1 * time.Minute, // recent: kept though beyond keep
		"b": 2 * 24 * time.Hour,
		"c": 3 * 24 * time.Hour,
		"d": 4 * 24 * time.Hour,
		"e": 5 * 24 * time.Hour,
		"f": 30 * 24 * time.Hour, // the current build's: kept
	}
	for name, age := range ages {
		d := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Join(d, "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "bin", "x"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := markUsed(d, now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	removed := pruneBuildDirs(root, filepath.Join(root, "f"), 2, time.Hour, now)
	var got []string
	for _, d := range removed {
		got = append(got, filepath.Base(d))
	}
	slices.Sort(got)
	if want := []string{"c", "d", "e"}; !slices.Equal(got, want) {
		t.Errorf("removed %v, want %v", got, want)
	}
	ents, _ := os.ReadDir(root)
	var left []string
	for _, e := range ents {
		left = append(left, e.Name())
	}
	if want := []string{"a", "b", "f", "file"}; !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
}
