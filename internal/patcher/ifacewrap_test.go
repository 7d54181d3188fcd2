package patcher

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/patcher/wrappers"
	"github.com/livepatch/livepatch/internal/testenv"
	"github.com/livepatch/livepatch/internal/usermod"
)

// TestInterfaceWrappers builds the fixture ifacewrap's package shapes as a
// patchable test binary and checks its generated wrappers file: which
// interfaces got wrappers (the package's own, unexported ones included;
// those of the standard library and of a dependency that the tables reach)
// and which did not (no methods, constraints, generic, methods another
// package cannot implement, unreached). The binary's own test, compiled
// only with the tag lpcheck, then calls every wrapper's methods through
// its interface and checks that each reaches its field; the agent's
// registration checks each wrapper's shape at init.
func TestInterfaceWrappers(t *testing.T) {
	dir := fixture(t, "ifacewrap")
	opts := Options{Dir: dir, Packages: []string{"./shapes"}, Test: true, BuildFlags: []string{"-tags=lpcheck"}}
	res := patchable(t, "ifacewrap", opts)
	src := string(readGenerated(t, dir, opts, filepath.Join(dir, "shapes", wrappers.FileName)))
	// gofmt puts a long one-line body on lines of its own.
	flat := strings.Join(strings.Fields(src), " ")
	for _, want := range []string{
		"{(*Shape)(nil), (*lp_I_Shape)(nil)},",
		"func (lp_w lp_I_Shape) Area() int { return lp_w.WArea() }",
		"{(*Solid)(nil), (*lp_I_Solid)(nil)},",
		"func (lp_w lp_I_Solid) Name() string { return lp_w.WName() }",
		"func (lp_w lp_I_Solid) Volume() (float64, error) { return lp_w.WVolume() }",
		"{(*visitor)(nil), (*lp_I_visitor)(nil)},",
		"Wvisit func(*node, ...string) (int, bool, error) }",
		"func (lp_w lp_I_visitor) visit(lp_a0 *node, lp_a1 ...string) (int, bool, error) { return lp_w.Wvisit(lp_a0, lp_a1...) }",
		"func (lp_w lp_I_Walker) Walk(lp_a0 *node) { lp_w.WWalk(lp_a0) }",
		"{(*Tagged)(nil), (*lp_I_Tagged)(nil)},",
		"{(*ReadShape)(nil), (*lp_I_ReadShape)(nil)},",
		"Read(lp_a0 []byte) (int, error)",
		".Greeter)(nil), (*lp_ID",
		".Visitor)(nil), (*lp_ID",
		"(lp_a0 int, lp_a1 ...string) (bool, error)",
		".Reader)(nil), (*lp_ID",
		".Stringer)(nil), (*lp_ID",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("wrappers file lacks %q", want)
		}
	}
	for _, unwanted := range []string{"lp_I_Empty", "lp_I_Number", "lp_I_Box", "_Sealed", "_Opener", "_Unreached"} {
		if strings.Contains(flat, unwanted) {
			t.Errorf("wrappers file has %s", unwanted)
		}
	}
	if t.Failed() {
		t.Logf("wrappers file:\n%s", src)
	}
	out := run(t, res.Output, "-test.run", "Wrappers|Unexported", "-test.v")
	for _, want := range []string{"--- PASS: TestWrappersForward", "--- PASS: TestUnexportedMethodsForward"} {
		if !strings.Contains(out, want) {
			t.Errorf("test binary output lacks %q:\n%s", want, out)
		}
	}
}

// readGenerated returns the generated file that the last build of the
// fixture at dir with opts put in the overlay for path orig.
func readGenerated(t *testing.T, dir string, opts Options, orig string) []byte {
	t.Helper()
	copyPath := overlayOf(t, dir, opts)[orig]
	if copyPath == "" {
		t.Fatalf("no generated file for %s in the overlay", orig)
	}
	b, err := os.ReadFile(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// overlayOf returns the overlay's replacements of the last build of the
// fixture at dir with opts (Dir and Output aside).
func overlayOf(t *testing.T, dir string, opts Options) map[string]string {
	t.Helper()
	mods, err := usermod.Find(testenv.Context(t), dir, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	opts.Dir = dir
	bd, err := buildDirFor(mods, &opts)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(bd, "overlay.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ov struct{ Replace map[string]string }
	if err := json.Unmarshal(data, &ov); err != nil {
		t.Fatal(err)
	}
	return ov.Replace
}

// TestRejectedInterfaceWrappersDropped corrupts the wrappers file the way
// a generator bug would and checks that the build still succeeds without
// it: the file is dropped from the overlay (the interfaces get the agent's
// stand-ins) and the package's other generated files stay.
func TestRejectedInterfaceWrappersDropped(t *testing.T) {
	dir := fixture(t, "ifacewrap")
	wrappers := filepath.Join(dir, "shapes", wrappers.FileName)
	corruptForTest = func(path string, data []byte) []byte {
		if path == wrappers {
			return append(data, "\nvar lp_broken int = \"not an int\"\n"...)
		}
		return data
	}
	t.Cleanup(func() { corruptForTest = nil })
	// Options differ from the other builds of the fixture (Env), so this
	// build has a build directory of its own.
	opts := Options{Dir: dir, Packages: []string{"./shapes"}, Test: true, Env: []string{"GOLIVEPATCHTEST=corrupt"}}
	build := opts
	build.Output, build.Log = filepath.Join(t.TempDir(), "shapes.test"), testenv.Logger(t, "patcher")
	res, err := Build(testenv.Context(t), build)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if out := run(t, res.Output, "-test.v"); !strings.Contains(out, "--- PASS: TestDescribe") {
		t.Errorf("test binary output lacks TestDescribe's pass:\n%s", out)
	}
	ov := overlayOf(t, dir, opts)
	if _, ok := ov[wrappers]; ok {
		t.Errorf("the rejected wrappers file is still in the overlay")
	}
	if _, ok := ov[filepath.Join(dir, "shapes", symbolsFileName)]; !ok {
		t.Errorf("the symbols file left the overlay with the wrappers file")
	}
}
