package patcher

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/usermod"
	"github.com/livepatch/livepatch/target"
)

// testMainFileName is the test file the patchable build of a test binary
// adds to the package under test, or to its external test package when
// the user's TestMain is there: a TestMain that waits for the host's
// patches when the binary is held (agent.HoldTests), after the init
// functions of every package, and then runs the tests. It starts the
// agent first (agent.StartTest; the init of the package under test's
// symbols has started it, unless that package has no Go file of its own:
// external tests only). The hold cannot
// stay in the init that starts the agent: a plugin loaded then would count
// that init, still running, among its own, and the runtime throws.
const testMainFileName = "zz_livepatch_testmain_test.go"

// UserTestMain is the name the user's own TestMain takes in the overlay
// of a test build; the generated TestMain calls it. It is as long as
// "TestMain", so that the columns of its line stay.
const UserTestMain = "lpTMain_"

// testMainFiles adds the generated TestMain of each package under test to
// the overlay ov, in the package of the user's own TestMain, renamed
// (UserTestMain) in a copy of its file, or in the package under test.
// tests are the test variants of the roots (loaded.tests).
func testMainFiles(tests []*packages.Package, buildDir string, ov map[string]string) error {
	byRoot := map[string][]*packages.Package{}
	for _, p := range tests {
		byRoot[forTest(p)] = append(byRoot[forTest(p)], p)
	}
	for root, variants := range byRoot {
		// The package under test with its test files, or else (it has
		// no file: external tests only) its external test package.
		var home *packages.Package
		for _, v := range variants {
			if len(v.GoFiles) > 0 && (home == nil || v.PkgPath == root) {
				home = v
			}
		}
		if home == nil {
			continue
		}
		outDir := filepath.Join(buildDir, "overlay", overlayDirName(root))
		call := "m.Run()"
		for _, v := range variants {
			file, err := renameTestMain(v, outDir, ov)
			if err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			if file != "" {
				home, call = v, UserTestMain+"(m)"
			}
		}
		pkgDir := filepath.Dir(home.GoFiles[0])
		src := fmt.Sprintf("%spackage %s\n\nimport (\n\tlp_agent %q\n\tlp_testing \"testing\"\n)\n\n"+
			"// TestMain waits for livepatch's patches when it holds the test binary,\n// then runs the tests.\n"+
			"func TestMain(m *lp_testing.M) {\n\tlp_agent.StartTest()\n\tlp_agent.HoldTests()\n\t%s\n}\n", generatedHeader, home.Name, target.AgentImportPath, call)
		if err := addFile(ov, pkgDir, outDir, testMainFileName, []byte(src)); err != nil {
			return err
		}
	}
	return nil
}

// renameTestMain writes, into outDir, a copy of the test file of v that
// declares TestMain with the function renamed UserTestMain, maps it in
// ov, and returns the file's path; "" when v's test files declare none.
func renameTestMain(v *packages.Package, outDir string, ov map[string]string) (string, error) {
	for _, file := range v.GoFiles {
		if !strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
		if err != nil {
			continue // the go command reports it
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Name.Name != "TestMain" {
				continue
			}
			off := fset.Position(fd.Name.Pos()).Offset
			out := bytes.Join([][]byte{src[:off], []byte(UserTestMain), src[off+len("TestMain"):]}, nil)
			copyPath := filepath.Join(outDir, filepath.Base(file))
			if err := usermod.WriteIfChanged(copyPath, out); err != nil {
				return "", err
			}
			ov[file] = copyPath
			return file, nil
		}
	}
	return "", nil
}
