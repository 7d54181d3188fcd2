package patcher

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/testenv"
	"github.com/livepatch/livepatch/internal/usermod"
)

// TestBuildSurvivesRejectedGeneratedCode corrupts generated files the way a
// generator bug would and checks that Build still produces a working binary:
// an instrumented copy the compiler rejects is replaced by the original
// (its functions become not patchable) and rejected symbol lines are left
// out.
func TestBuildSurvivesRejectedGeneratedCode(t *testing.T) {
	dir := fixture(t, "basic")
	ifaceGo := filepath.Join(dir, "shapes", "iface.go")
	shapesSyms := filepath.Join(dir, "shapes", symbolsFileName)
	shapesNative := filepath.Join(dir, "shapes", NativeFileName)
	corruptForTest = func(path string, data []byte) []byte {
		switch path {
		case shapesNative:
			return append(data, "\nvar LpNF_bogus = noSuchThing\n"...)
		case ifaceGo:
			return append(data, "var lpBroken int = \"not an int\"\n"...)
		case shapesSyms:
			return bytes.Replace(data, []byte(`{"Sum",`), []byte("{\"Bogus\", noSuchThing, 0},\n\t{\"Sum\","), 1)
		}
		return data
	}
	t.Cleanup(func() { corruptForTest = nil })
	out := filepath.Join(t.TempDir(), "basic")
	// Options differ from the other builds of basic (Env), so this build
	// has a build directory of its own.
	res, err := Build(testenv.Context(t), Options{Dir: dir, Output: out, Env: []string{"GOLIVEPATCHTEST=corrupt"}, Log: testenv.Logger(t, "patcher")})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if got := run(t, res.Output); !strings.Contains(got, "hello, world") {
		t.Errorf("unexpected output:\n%s", got)
	}
	mods, err := usermod.Find(testenv.Context(t), dir, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	bd, err := buildDirFor(mods, &Options{Dir: dir, Env: []string{"GOLIVEPATCHTEST=corrupt"}})
	if err != nil {
		t.Fatal(err)
	}
	syms, err := os.ReadFile(filepath.Join(bd, "overlay", overlayDirName("example.com/basic/shapes"), symbolsFileName))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(syms), "Bogus") || !strings.Contains(string(syms), `{"Sum",`) {
		t.Errorf("rejected symbol line not removed, or too much removed:\n%s", syms)
	}
	native, err := os.ReadFile(filepath.Join(bd, "overlay", overlayDirName("example.com/basic/shapes"), NativeFileName))
	if err != nil {
		t.Fatalf("the native exports file was left out, not repaired: %v", err)
	}
	if strings.Contains(string(native), "LpNF_bogus") || !strings.Contains(string(native), "type LpNT_inner = inner") {
		t.Errorf("rejected native export not removed, or too much removed:\n%s", native)
	}
	for _, f := range res.Manifest.Functions {
		switch {
		case f.File == ifaceGo:
			if f.Patchable || !strings.Contains(f.Reason, "instrumented copy does not compile") {
				t.Errorf("%s: patchable %t, reason %q; want not patchable because the copy does not compile", f.Key, f.Patchable, f.Reason)
			}
		case f.Key == "example.com/basic/shapes.(*Counter).Add":
			if !f.Patchable {
				t.Errorf("%s is not patchable: %s", f.Key, f.Reason)
			}
		}
	}
}
