// Package benchkit holds the helpers that the bench program
// (integration/bench) and its replay part (integration/bench/replay) share:
// the report's table, cell formats, and running and copying for the go
// command.
package benchkit

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
)

// Table is one section of the report as rows of cells.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
	Notes  []string
}

// Verdict is "yes" or "NO".
func Verdict(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

// F1 formats x with one decimal.
func F1(x float64) string { return fmt.Sprintf("%.1f", x) }

// WithStderr adds to the error of a command run with Output what the
// command wrote to stderr.
func WithStderr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(bytes.TrimSpace(ee.Stderr)) > 0 {
		return fmt.Errorf("%w\n%s", err, bytes.TrimSpace(ee.Stderr))
	}
	return err
}

// CopyTree copies the directory src to dst, with files writable by their
// owner (the module cache is read-only).
func CopyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
