package patcher

import (
	"sort"
	"strings"
	"testing"
)

// TestAddTested checks a plugin build's view of a tested package: its
// test files added under names the go command compiles, after the
// package's own, and a -trimpath that records every file under its own
// path, after the build's compiler flags for the package.
func TestAddTested(t *testing.T) {
	tp := &TestedPackage{Path: "example.com/m/p", Dir: "/src/p", TestFiles: []string{"/src/p/a_test.go", "/src/p/b_test.go"}}
	ov := map[string]string{
		"/src/p/p.go":      "/build/p.go",      // instrumented
		"/src/p/b_test.go": "/build/b_test.go", // the user's TestMain renamed
		"/src/q/q.go":      "/build/q.go",      // another package
		"/src/p/new.go":    "",                 // hidden
	}
	got, err := tp.addTested(ov, []string{"-gcflags=all=-N -l"})
	if err != nil {
		t.Fatal(err)
	}
	want := "-N -l -trimpath=/build/b_test.go=>/src/p/b_test.go;/build/p.go=>/src/p/p.go"
	if got != want {
		t.Errorf("flags: got %q, want %q", got, want)
	}
	for name, actual := range map[string]string{"/src/p/zzzzzz_lptest_000.go": "/src/p/a_test.go", "/src/p/zzzzzz_lptest_001.go": "/build/b_test.go"} {
		if ov[name] != actual {
			t.Errorf("overlay %s: got %q, want %q", name, ov[name], actual)
		}
	}
	names := []string{testedPrefix + "000.go", "p.go", "zzz.go", symbolsFileName, stdSymbolsFileName, NativeFileName}
	sort.Strings(names)
	if last := names[len(names)-1]; !strings.HasPrefix(last, testedPrefix) {
		t.Errorf("%s sorts after the renamed test files", last)
	}
}
