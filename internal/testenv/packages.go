package testenv

import (
	"context"
	"go/token"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/packages"
)

// LoadModule writes files (by name: go.mod and the package's files) to a
// temporary directory and loads the package there with the syntax and
// type information the patchable builder loads. It returns the file set,
// the package and the directory.
func LoadModule(t testing.TB, files map[string]string) (*token.FileSet, *packages.Package, string) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := &packages.Config{
		Context: context.Background(),
		Dir:     dir,
		Fset:    token.NewFileSet(),
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps |
			packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule,
	}
	pkgs, err := packages.Load(cfg, ".")
	if err != nil || len(pkgs) != 1 || len(pkgs[0].Errors) > 0 {
		t.Fatalf("load: %v %v", err, pkgs)
	}
	return cfg.Fset, pkgs[0], dir
}
