package change

import (
	"go/version"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/tools/go/packages"
)

// TestGoVersion checks the language version a change is checked at: the
// go line on disk when a save raised it, up to livepatch's own Go.
func TestGoVersion(t *testing.T) {
	dir := t.TempDir()
	pkg := &packages.Package{Module: &packages.Module{Dir: dir, GoVersion: "1.22"}}
	for _, tc := range []struct{ line, want string }{
		{"go 1.24", "go1.24"},
		{"go 1.21", "go1.22"},
		{"go 1.999", version.Lang(runtime.Version())},
		{"", "go1.22"},
	} {
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\n"+tc.line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := goVersion(pkg); got != tc.want {
			t.Errorf("go.mod with %q: checked at %q, want %q", tc.line, got, tc.want)
		}
	}
}
