package patcher

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// TestedPackage is, in a test build, the package under test as the test
// binary links it: compiled together with its test files (its test
// variant). A plugin that imports it must link the same package, which
// `go build` compiles without test files; NativeBuild.Plugin adds them
// under other names (testedPrefix) and has the compiler record them under
// their own, so that the package's export data, whose hash the plugin
// loader compares, is the test binary's.
type TestedPackage struct {
	Path string `json:"path"`
	Dir  string `json:"dir"`
	// TestFiles are its test files as the compiler takes them (sorted,
	// after the other files), generated ones (testmain.go) included.
	TestFiles []string `json:"testFiles"`
}

// testedPrefix starts the names under which a plugin's build compiles the
// tested package's test files: it sorts after every other file of the
// package, generated ones included, as test files do in a test build.
const testedPrefix = "zzzzzz_lptest_"

// testedPackage returns the package under test of a test build with
// test files of its own, from the roots' test variants and the overlay;
// nil when it has none (its external test package links the package as
// built).
func testedPackage(tests []*packages.Package, ov map[string]string) *TestedPackage {
	for _, v := range tests {
		if v.PkgPath != forTest(v) || len(v.GoFiles) == 0 {
			continue
		}
		tp := &TestedPackage{Path: v.PkgPath, Dir: filepath.Dir(v.GoFiles[0])}
		for _, f := range v.GoFiles {
			if strings.HasSuffix(f, "_test.go") {
				tp.TestFiles = append(tp.TestFiles, f)
			}
		}
		if gen := filepath.Join(tp.Dir, testMainFileName); ov[gen] != "" && !slices.Contains(tp.TestFiles, gen) {
			tp.TestFiles = append(tp.TestFiles, gen)
		}
		sort.Strings(tp.TestFiles)
		return tp
	}
	return nil
}

// addTested adds the tested package's test files to a plugin build's
// overlay ov under names the go command compiles (testedPrefix), and
// returns the compiler flags that compile the package as the test build
// did: the build's flags for it (mainGcflags), and a -trimpath that
// records every file of the package under its own path (the test files
// under theirs, not the names they are compiled under).
func (tp *TestedPackage) addTested(ov map[string]string, flags []string) (string, error) {
	gcflags, err := mainGcflags(flags, tp.Path)
	if err != nil {
		return "", err
	}
	rewrite := map[string]string{} // file compiled -> path recorded
	for k, v := range ov {
		if v != "" && filepath.Dir(k) == tp.Dir {
			rewrite[v] = k
		}
	}
	for i, f := range tp.TestFiles {
		actual := f
		if v := ov[f]; v != "" {
			actual = v
		}
		ov[filepath.Join(tp.Dir, fmt.Sprintf("%s%03d.go", testedPrefix, i))] = actual
		if actual != f {
			rewrite[actual] = f
		}
	}
	parts := make([]string, 0, len(rewrite))
	for from, to := range rewrite {
		parts = append(parts, from+"=>"+to)
	}
	sort.Strings(parts)
	trim := strings.Join(parts, ";")
	if strings.ContainsAny(trim, " '\"") {
		trim = "'" + trim + "'"
	}
	return strings.TrimSpace(gcflags + " -trimpath=" + trim), nil
}
