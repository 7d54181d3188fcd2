package replay

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
)

// changeKind says how a file differs between two versions of a module.
type changeKind string

const (
	changed changeKind = "changed"
	added   changeKind = "new"
	removed changeKind = "removed"
)

// fileChange is one file that differs between two versions of a module,
// by its slash-separated path relative to the module's root.
type fileChange struct {
	rel  string
	kind changeKind
}

// replayed reports whether the replay writes rel at all: tests, test data
// and the repository's dot directories (.github, ...) play no part in the
// program and are left as they are.
func replayed(rel string) bool {
	if strings.HasSuffix(rel, "_test.go") {
		return false
	}
	for _, elem := range strings.Split(rel, "/") {
		if elem == "testdata" || strings.HasPrefix(elem, ".") {
			return false
		}
	}
	return true
}

// diffTrees returns the files that differ between the module trees from
// and to, in path order, leaving out what replayed leaves out.
func diffTrees(from, to string) ([]fileChange, error) {
	a, err := treeFiles(from)
	if err != nil {
		return nil, err
	}
	b, err := treeFiles(to)
	if err != nil {
		return nil, err
	}
	var out []fileChange
	for rel := range a {
		if _, ok := b[rel]; !ok {
			out = append(out, fileChange{rel, removed})
		}
	}
	for rel, content := range b {
		old, ok := a[rel]
		switch {
		case !ok:
			out = append(out, fileChange{rel, added})
		case !bytes.Equal(old, content):
			out = append(out, fileChange{rel, changed})
		}
	}
	slices.SortFunc(out, func(x, y fileChange) int { return strings.Compare(x.rel, y.rel) })
	return out, nil
}

// treeFiles reads the regular files under root that the replay writes, by
// slash-separated relative path.
func treeFiles(root string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != "." && !replayed(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[rel] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", root, err)
	}
	return files, nil
}

// splitSaves separates the changes the replay saves one at a time, waiting
// for livepatch's report of each (the Go files of the packages the program
// links, whose directories linked holds), from the others (documentation,
// embedded files, packages the program does not link), which it writes at
// once before them, as a checkout would.
func splitSaves(changes []fileChange, linked map[string]bool) (saves, others []fileChange) {
	for _, c := range changes {
		if strings.HasSuffix(c.rel, ".go") && linked[path.Dir(c.rel)] {
			saves = append(saves, c)
		} else {
			others = append(others, c)
		}
	}
	return saves, others
}

// requirementChanges describes how the requirements of go.mod changed
// between the contents from and to (require, replace and exclude lines;
// the go and toolchain lines are not dependencies), or returns "" when they
// did not.
func requirementChanges(from, to []byte) (string, error) {
	a, err := modfile.Parse("go.mod", from, nil)
	if err != nil {
		return "", err
	}
	b, err := modfile.Parse("go.mod", to, nil)
	if err != nil {
		return "", err
	}
	before, after := requirements(a), requirements(b)
	var diffs []string
	for _, r := range before {
		if !slices.Contains(after, r) {
			diffs = append(diffs, "-"+r)
		}
	}
	for _, r := range after {
		if !slices.Contains(before, r) {
			diffs = append(diffs, "+"+r)
		}
	}
	return strings.Join(diffs, " "), nil
}

// requirements lists the require, replace and exclude lines of f, sorted.
func requirements(f *modfile.File) []string {
	var rs []string
	for _, r := range f.Require {
		rs = append(rs, r.Mod.String())
	}
	for _, r := range f.Replace {
		rs = append(rs, "replace "+r.Old.String()+" => "+r.New.String())
	}
	for _, r := range f.Exclude {
		rs = append(rs, "exclude "+r.Mod.String())
	}
	slices.Sort(rs)
	return rs
}
