package integration

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLivePatchFileRemovedAndForeignPackage removes a file of the running
// program and adds one whose package clause names another package: each is
// reported in the console by name, with the package the new file declares
// (issue 11: a removal said nothing, and a new file was reported under the
// directory's import path). A removed file is planned as the same
// declarations removed from it would be, and a new file of the package
// joins it, as the same declarations in a file of the build would (issue
// 13).
func TestLivePatchFileRemovedAndForeignPackage(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livepatch")
		env.runLive(dir)

		if err := os.Remove(filepath.Join(dir, "other_windows.go")); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("other_windows.go: removed: it was not part of this build")
		if err := os.WriteFile(filepath.Join(dir, "extra.go"), []byte("package helpers\n\nfunc Help() int { return 1 }\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("extra.go: new file of package helpers in the directory of package main")

		if err := os.WriteFile(filepath.Join(dir, "more.go"), []byte("package main\n\nfunc more() int { return 1 }\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("more.go: nothing to patch yet: what it declares anew (more) goes live with the code that uses it")

		if err := os.Remove(filepath.Join(dir, "main.go")); err != nil {
			t.Fatal(err)
		}
		// A removal is planned as a save that empties the file (issue 13):
		// a package variable's initializer still calls what main.go
		// declared (its compiled callers in functions go with the file).
		env.waitConsole("main.go:1:9: first removed and a declaration outside any function uses it: restart to apply")
		env.waitConsole("hello x") // still running
		env.Disconnect()
	})
}
