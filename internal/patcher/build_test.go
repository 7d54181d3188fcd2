package patcher

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/patcher/naming"
	"github.com/livepatch/livepatch/internal/testenv"
	"github.com/livepatch/livepatch/internal/usermod"
	"github.com/livepatch/livepatch/target/agent/hostlink"
)

// fixture returns the absolute directory of testdata fixture name.
func fixture(t testing.TB, name string) string {
	d, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// built is one fixture binary built once per test binary.
type built struct {
	once sync.Once
	res  *Result
	log  bytes.Buffer
	err  error
}

var (
	builtMu  sync.Mutex
	builtBin = map[string]*built{}
	binDir   string
)

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "patcher-test-")
	if err != nil {
		panic(err)
	}
	binDir = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}

// patchable builds fixture name patchably once per test binary with opts
// (Dir and Output are filled in) and returns the result.
func patchable(t testing.TB, name string, opts Options) *Result {
	t.Helper()
	key := fmt.Sprintf("%s_%s_%s_%s_%t_%t", name, strings.Join(opts.Packages, ","), strings.Join(opts.BuildFlags, ","), strings.Join(opts.Env, ","), opts.Test, opts.HoldInTestMain)
	builtMu.Lock()
	b := builtBin[key]
	if b == nil {
		b = &built{}
		builtBin[key] = b
	}
	builtMu.Unlock()
	b.once.Do(func() {
		if opts.Dir == "" {
			opts.Dir = fixture(t, name)
		}
		opts.Output = filepath.Join(binDir, strings.NewReplacer("/", "_", " ", "_", "=", "_", ",", "_", ".", "_").Replace(key)+".patchable")
		opts.Log = slog.New(slog.NewTextHandler(&b.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
		b.res, b.err = Build(testenv.Context(t), opts)
	})
	if b.err != nil {
		t.Logf("patcher log:\n%s", b.log.String())
		t.Fatalf("patchable build of %s: %v", name, b.err)
	}
	return b.res
}

// plainBinary builds fixture dir with `go build` and returns the binary.
// args are build flags, then package patterns ("." when there are none).
func plainBinary(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "plain")
	if len(args) == 0 || strings.HasPrefix(args[len(args)-1], "-") {
		args = append(args, ".")
	}
	cmd := testenv.Command(testenv.Context(t), "go", append([]string{"build", "-o", out}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build in %s: %v\n%s", dir, err, b)
	}
	return out
}

// run runs a binary and returns its standard output.
func run(t testing.TB, bin string, args ...string) string {
	t.Helper()
	cmd := testenv.Command(testenv.Context(t), bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("run %s: %v\nstdout:\n%s\nstderr:\n%s", bin, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func TestFixturesBuildAndRunAlike(t *testing.T) {
	cases := []struct {
		name    string
		fixture string
		dir     string // relative to the fixture
		flags   []string
		env     []string
		pkgs    []string
		want    string // a line the output must contain
		key     string // a function whose manifest entry must be in file
		file    string
	}{
		{name: "basic", fixture: "basic", want: "hello, world"},
		{name: "workspace", fixture: "work", dir: "app", want: "lib says: hi"},
		// No network: the vendored module is a local replacement.
		{name: "vendor", fixture: "vendored", env: []string{"GOPROXY=off"}, want: "dep: vendored"},
		{name: "cgo", fixture: "cgo", want: "42 plain", key: "example.com/cgo.twice", file: "c.go"},
		{name: "files", fixture: "tags", pkgs: []string{"main.go", "plain.go"}, want: "flavor: plain", key: "command-line-arguments.flavor", file: "plain.go"},
		// The agent module needs a newer go version than this module's.
		{name: "oldgo", fixture: "oldgo", want: "loopvar: 333"},
		{name: "oldgo-files", fixture: "oldgo", pkgs: []string{"main.go"}, want: "loopvar: "},
		{name: "tags-off", fixture: "tags", want: "flavor: plain", key: "example.com/tags.flavor", file: "plain.go"},
		{name: "tags-on", fixture: "tags", flags: []string{"-tags=spicy"}, want: "flavor: spicy", key: "example.com/tags.flavor", file: "spicy.go"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fixture == "cgo" && !cgoAvailable(t) {
				t.Skip("cgo is disabled or no C compiler is installed")
			}
			dir := filepath.Join(fixture(t, tc.fixture), tc.dir)
			res := patchable(t, tc.fixture+"/"+tc.dir, Options{Dir: dir, Packages: tc.pkgs, BuildFlags: tc.flags, Env: tc.env})
			got := run(t, res.Output)
			want := run(t, plainBinary(t, dir, tc.env, append(tc.flags, tc.pkgs...)...))
			if got != want {
				t.Errorf("patchable output differs from plain output\ngot:\n%s\nwant:\n%s", got, want)
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, got)
			}
			if res.Manifest.Count == 0 {
				t.Errorf("no patchable function in manifest")
			}
			if _, err := ReadManifest(res.Output); err != nil {
				t.Error(err)
			}
			if tc.key != "" {
				found := false
				for _, f := range res.Manifest.Functions {
					if f.Key == tc.key {
						found = true
						if filepath.Base(f.File) != tc.file || f.Patchable == (tc.fixture == "cgo") {
							t.Errorf("%s: in %s (patchable %t %s), want %s", f.Key, f.File, f.Patchable, f.Reason, tc.file)
						}
					}
				}
				if !found {
					t.Errorf("manifest lacks %s", tc.key)
				}
			}
		})
	}
}

func TestManifest(t *testing.T) {
	res := patchable(t, "basic/", Options{Dir: fixture(t, "basic")})
	byKey := map[string]Function{}
	for _, f := range res.Manifest.Functions {
		byKey[f.Key] = f
	}
	tests := []struct {
		key       string
		patchable bool
		reason    string
	}{
		{"example.com/basic.main", true, ""},
		{"example.com/basic.greet", true, ""},
		{"example.com/basic/shapes.(*Counter).Add", true, ""},
		{"example.com/basic/shapes.Counter.Get", true, ""},
		{"example.com/basic/shapes.Counter.Peek", true, ""},
		{"example.com/basic/shapes.(*Counter).Blank", true, ""},
		{"example.com/basic/shapes.Sum", true, ""},
		{"example.com/basic/shapes.Pair", true, ""},
		{"example.com/basic/shapes.Named", true, ""},
		{"example.com/basic/shapes.Generic", true, ""},
		{"example.com/basic/shapes.Box.Get", true, ""},
		{"example.com/basic/shapes.Box.Size", false, ReasonGenericBlank},
		{"example.com/basic/shapes.Fast", false, "//go:nosplit"},
		{"example.com/basic/shapes.init", false, "init function"},
		{"example.com/basic/shapes.Clash", false, "name lpT clashes with livepatch's generated names"},
		{"example.com/basic/shapes.nanotime", false, "no body (declared elsewhere)"},
		{"example.com/basic/shapes.Now", true, ""},
		{"example.com/basic/shapes.Pushed", false, "//go:linkname"},
		{"example.com/basic/shapes.KindOf", true, ""},
	}
	for _, tc := range tests {
		f, ok := byKey[tc.key]
		if !ok {
			t.Errorf("manifest lacks %s", tc.key)
			continue
		}
		if f.Patchable != tc.patchable || f.Reason != tc.reason {
			t.Errorf("%s: got patchable=%t reason=%q, want %t %q", tc.key, f.Patchable, f.Reason, tc.patchable, tc.reason)
		}
		if f.Patchable && f.Index < 0 || !f.Patchable && f.Index != -1 {
			t.Errorf("%s: index %d does not match patchable=%t", tc.key, f.Index, f.Patchable)
		}
	}
	seen := map[int]string{}
	for _, f := range res.Manifest.Functions {
		if !f.Patchable {
			continue
		}
		if other, dup := seen[f.Index]; dup {
			t.Errorf("index %d used by %s and %s", f.Index, other, f.Key)
		}
		seen[f.Index] = f.Key
		if f.Index >= res.Manifest.Count {
			t.Errorf("%s: index %d >= count %d", f.Key, f.Index, res.Manifest.Count)
		}
	}
	if len(res.Skipped) == 0 {
		t.Errorf("no skipped functions reported")
	}
}

func TestCompileErrorIsReportedUnchanged(t *testing.T) {
	dir := fixture(t, "broken")
	out := filepath.Join(t.TempDir(), "broken")
	_, err := Build(testenv.Context(t), Options{Dir: dir, Output: out, Log: testenv.Logger(t, "patcher")})
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("got error %v (%T), want *BuildError", err, err)
	}
	cmd := testenv.Command(testenv.Context(t), "go", "build", "-o", os.DevNull, ".")
	cmd.Dir = dir
	want, _ := cmd.CombinedOutput()
	if be.Output != string(want) {
		t.Errorf("got compiler output\n%s\nwant (from go build)\n%s", be.Output, want)
	}
	if !strings.Contains(be.Output, "main.go:") {
		t.Errorf("output does not name the user's file:\n%s", be.Output)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output %s exists after a failed build (stat: %v)", out, err)
	}
	if _, err := os.Stat(out + ManifestSuffix); !os.IsNotExist(err) {
		t.Errorf("manifest exists after a failed build (stat: %v)", err)
	}
}

func TestOverlayIsDeterministic(t *testing.T) {
	dir := fixture(t, "basic")
	snapshot := func() map[string]string {
		out := filepath.Join(t.TempDir(), "bin")
		if _, err := Build(testenv.Context(t), Options{Dir: dir, Output: out, Log: testenv.Logger(t, "patcher")}); err != nil {
			t.Fatal(err)
		}
		mods, err := usermod.Find(testenv.Context(t), dir, os.Environ())
		if err != nil {
			t.Fatal(err)
		}
		bd, err := buildDirFor(mods, &Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		err = filepath.WalkDir(bd, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if rel, _ := filepath.Rel(bd, path); rel == "go.mod" || rel == "go.sum" {
				return nil // the go command may tidy the alternate go.mod
			}
			data, err := os.ReadFile(path)
			files[path] = string(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	first := snapshot()
	second := snapshot()
	if len(first) == 0 {
		t.Fatal("empty build directory")
	}
	for path, data := range first {
		if second[path] != data {
			t.Errorf("%s differs between two builds of the same tree", path)
		}
	}
	if len(first) != len(second) {
		t.Errorf("got %d files in the second build, want %d", len(second), len(first))
	}
}

func TestTestBinary(t *testing.T) {
	dir := fixture(t, "basic")
	res := patchable(t, "basic", Options{Dir: dir, Packages: []string{"./shapes"}, Test: true})
	got := run(t, res.Output, "-test.v", "-test.count=1")
	for _, want := range []string{"counter ok 3 helper", "external ok 2", "--- PASS: TestCounter", "--- PASS: TestExternal"} {
		if !strings.Contains(got, want) {
			t.Errorf("test binary output lacks %q:\n%s", want, got)
		}
	}
	var add *Function
	for i, f := range res.Manifest.Functions {
		if strings.HasSuffix(f.File, "_test.go") {
			t.Errorf("test file function in manifest: %s", f.Key)
		}
		if f.Key == "example.com/basic/shapes.(*Counter).Add" {
			add = &res.Manifest.Functions[i]
		}
	}
	if add == nil || !add.Patchable {
		t.Errorf("(*Counter).Add is not patchable in the test binary's manifest: %+v", add)
	}
}

func TestMissingGoSumEntryIsExplained(t *testing.T) {
	dir := fixture(t, "nosum")
	_, err := Build(testenv.Context(t), Options{Dir: dir, Output: filepath.Join(t.TempDir(), "nosum"), Log: testenv.Logger(t, "patcher"), Env: []string{"GOPROXY=off", "GOFLAGS=-mod=readonly"}})
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("got error %v (%T), want *BuildError", err, err)
	}
	if !strings.Contains(be.Output, "missing go.sum entry") {
		t.Errorf("output does not mention the missing go.sum entry:\n%s", be.Output)
	}
	if !strings.Contains(be.Hint, "go mod tidy") || !strings.Contains(be.Error(), be.Hint) {
		t.Errorf("got hint %q in %q, want advice to run go mod tidy", be.Hint, be.Error())
	}
}

// TestOverlayKeepsLines checks that instrumented copies keep every line of
// the original in place, that generated declarations follow a //line
// directive, and that the symbol files hold the expected symbols.
func TestOverlayKeepsLines(t *testing.T) {
	dir := fixture(t, "basic")
	patchable(t, "basic/", Options{Dir: dir})
	mods, err := usermod.Find(testenv.Context(t), dir, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	bd, err := buildDirFor(mods, &Options{Dir: dir})
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
	instrumented := 0
	for orig, copyPath := range ov.Replace {
		marker := "\n//line " + generatedName(orig) + ":1\n"
		got, err := os.ReadFile(copyPath)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(orig)
		if os.IsNotExist(err) {
			continue // an added file
		}
		if err != nil {
			t.Fatal(err)
		}
		instrumented++
		head, _, ok := strings.Cut(string(got), marker)
		if !ok {
			t.Errorf("%s: no %q directive", copyPath, strings.TrimSpace(marker))
			continue
		}
		gotLines := strings.Split(strings.TrimSuffix(head, "\n"), "\n")
		wantLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
		if len(gotLines) != len(wantLines) {
			t.Errorf("%s: %d lines before the generated part, want %d", filepath.Base(orig), len(gotLines), len(wantLines))
			continue
		}
		for i := range wantLines {
			// Insertions add text to a line; they never remove any, and
			// the line's start is the same unless a parameter was named.
			if g, w := strings.Fields(gotLines[i]), strings.Fields(wantLines[i]); len(w) > 0 && (len(g) == 0 || g[0] != w[0]) {
				t.Errorf("%s:%d: got %q, want a line starting like %q", filepath.Base(orig), i+1, gotLines[i], wantLines[i])
			}
		}
	}
	if instrumented != 5 {
		t.Errorf("got %d instrumented files, want 5 (main.go, shapes.go, iface.go, linkname.go, imports.go)", instrumented)
	}
	syms, err := os.ReadFile(ov.Replace[filepath.Join(dir, "shapes", symbolsFileName)])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`{"Counter", (*Counter)(nil), 0},`, `{"lpField_Counter_n", lpField_Counter_n, 0},`, `{"lpField_Counter_inner",`,
		`{"lpAddr_Global", &Global, 0},`, `{"Global", &Global, 1},`, `{"Big",`, `{"huge",`, `{"typed",`, `{"Shape",`, `{"Sum", Sum, 0},`,
		"func lpField_Counter_n(lpX *Counter) *int",
		"func lpMethod_Square_perimeter(lpX Square) func() int { return lpX.perimeter }",
		"func lpMethod_Square_reset(lpX *Square) func(side int) { return lpX.reset }",
		"func lpMethod_sized_size(lpX sized) func() int { return lpX.size }",
		`{"lpMethod_Square_perimeter", lpMethod_Square_perimeter, 0},`,
		`{"` + nameIfaceSymbol(t) + `", (*interface{ Name() string })(nil), 0},`,
	} {
		if !strings.Contains(string(syms), want) {
			t.Errorf("shapes symbols lack %s", want)
		}
	}
	for _, unwanted := range []string{`{"Generic",`, `{"Box",`} {
		if strings.Contains(string(syms), unwanted) {
			t.Errorf("shapes symbols hold generic %s", unwanted)
		}
	}
	std, err := os.ReadFile(ov.Replace[filepath.Join(dir, stdSymbolsFileName)])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`lp_register("fmt", "fmt"`, `lp_register("strings", "strings"`, `lp_register("sort", "sort"`, `{"Println",`, `{"MaxInt64", "9223372036854775807", 4},`} {
		if !strings.Contains(string(std), want) {
			t.Errorf("standard-library symbols lack %s", want)
		}
	}
}

// TestTargetPlatformFromEnv checks that GOOS and GOARCH from Options.Env
// choose the files and the standard-library symbols (without a cross build,
// which would compile the whole standard library cold).
func TestTargetPlatformFromEnv(t *testing.T) {
	dir := fixture(t, "basic")
	opts := &Options{Dir: dir, Env: []string{"GOOS=windows", "GOARCH=386"}}
	env := append(os.Environ(), opts.Env...)
	mods, err := usermod.Find(testenv.Context(t), dir, env)
	if err != nil {
		t.Fatal(err)
	}
	l, err := load(testenv.Context(t), opts, mods, env)
	if err != nil {
		t.Fatal(err)
	}
	// syscall is linked but not imported by the fixture: add it, as a
	// program that imports it would get it.
	var std []*types.Package
	for _, p := range l.std {
		std = append(std, p.Types)
	}
	packages.Visit(l.roots, nil, func(p *packages.Package) {
		if p.PkgPath == "syscall" {
			std = append(std, p.Types)
		}
	})
	src := string(stdSymbols(l.roots[0].Types, std, nil))
	for _, want := range []string{`{"GetStdHandle",`, `lp_register("syscall", "syscall"`} {
		if !strings.Contains(src, want) {
			t.Errorf("windows/386 standard-library symbols lack %s", want)
		}
	}
	if strings.Contains(src, `{"Getpgid",`) {
		t.Errorf("windows/386 standard-library symbols hold linux-only syscall.Getpgid")
	}
}

// cgoAvailable reports whether the go command builds cgo packages here.
func cgoAvailable(t *testing.T) bool {
	out, err := testenv.Command(testenv.Context(t), "go", "env", "CGO_ENABLED", "CC").Output()
	if err != nil {
		return false
	}
	f := strings.Fields(string(out))
	if len(f) < 2 || f[0] != "1" {
		return false
	}
	_, err = exec.LookPath(f[1])
	return err == nil
}

// TestWarmBuildHitsCache builds a fixture three times and checks, with the
// go command's -x output, that a full build of an unchanged tree (the
// recorded state removed) compiles nothing, and that a reused build
// compiles and links nothing.
func TestWarmBuildHitsCache(t *testing.T) {
	// A copy: its build directory is this test's alone, even when another
	// process runs the same test at the same time.
	dir := copyTree(t, fixture(t, "tags"))
	opts := Options{Dir: dir, Output: filepath.Join(t.TempDir(), "tags"), BuildFlags: []string{"-x"}, Log: testenv.Logger(t, "patcher")}
	build := func() (*Result, string) {
		var progress bytes.Buffer
		opts.Progress = &progress
		res, err := Build(testenv.Context(t), opts)
		if err != nil {
			t.Fatal(err)
		}
		return res, progress.String()
	}
	bd := removeBuildDirAfter(t, dir, opts)
	build()
	if err := removeState(bd); err != nil {
		t.Fatal(err)
	}
	full, out := build()
	if full.Reused {
		t.Fatal("a build without a recorded state was reused")
	}
	reused, again := build()
	if !reused.Reused {
		t.Fatal("a build of an unchanged tree was not reused")
	}
	if !strings.Contains(out, "building ") || !strings.Contains(out, "WORK=") || !strings.Contains(again, "WORK=") {
		t.Fatalf("no progress lines or no -x output:\n%s\n%s", out, again)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "/compile ") {
			t.Errorf("warm build compiles: %s", line)
		}
	}
	for _, line := range strings.Split(again, "\n") {
		if strings.Contains(line, "/compile ") || strings.Contains(line, "/link ") {
			t.Errorf("reused build compiles or links: %s", line)
		}
	}
}

// TestStdSymbolsCoverDirectImports checks that the standard-library symbol
// tables cover exactly the packages the user's packages import directly
// plus the default set, not everything the program links.
func TestStdSymbolsCoverDirectImports(t *testing.T) {
	dir := fixture(t, "basic")
	opts := &Options{Dir: dir}
	mods, err := usermod.Find(testenv.Context(t), dir, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	l, err := load(testenv.Context(t), opts, mods, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, s := range defaultStd {
		want[s] = true
	}
	for _, p := range l.user {
		for path, imp := range p.Imports {
			if isImportableStd(imp) || mods.IsImportableDep(imp) {
				want[path] = true
			}
		}
	}
	got := map[string]bool{}
	for _, p := range l.std {
		got[p.PkgPath] = true
		if !want[p.PkgPath] {
			t.Errorf("symbols generated for %s, which the fixture does not import", p.PkgPath)
		}
	}
	for path := range want {
		if !got[path] {
			t.Errorf("no symbols for %s", path)
		}
	}
	for _, path := range []string{"reflect", "sync/atomic"} {
		if !got[path] {
			t.Errorf("no symbols for %s, which shapes imports", path)
		}
	}
}

// TestTestBinaryHoldsAfterInits runs a held test binary: it holds in the
// generated TestMain, after every package's init (the external test
// package's too), and once released runs the user's own TestMain and the
// tests.
func TestTestBinaryHoldsAfterInits(t *testing.T) {
	before, after := runHeld(t, "./held", "--- PASS: TestHalf")
	if !slices.Contains(before, "xtest init") {
		t.Fatalf("the binary held before the external test package's init ran; its output before the hold: %q", before)
	}
	if len(after) == 0 || after[0] != "user TestMain" || !strings.HasPrefix(after[len(after)-1], "--- PASS: TestHalf") {
		t.Errorf("after the release: got %q, want the user's TestMain and then TestHalf passing", after)
	}
}

// TestTestBinaryOfExternalTestsOnlyHolds runs the held test binary of a
// package that has external test files only: its generated TestMain, in
// the external test package, starts the agent itself, holds, and once
// released runs the tests. (It ended before holding: no file of the
// package under test started the agent, and the TestMain went nowhere.)
func TestTestBinaryOfExternalTestsOnlyHolds(t *testing.T) {
	_, after := runHeld(t, "./xonly", "--- PASS: TestQuarter")
	if len(after) == 0 || !strings.HasPrefix(after[len(after)-1], "--- PASS: TestQuarter") {
		t.Errorf("after the release: got %q, want TestQuarter passing", after)
	}
}

// runHeld builds the patchable test binary of package pkg of the basic
// fixture, held in its TestMain, runs it, releases it once it holds, and
// returns its output lines before the hold and after the release, up to
// the line that starts with last.
func runHeld(t *testing.T, pkg, last string) (before, after []string) {
	t.Helper()
	dir := fixture(t, "basic")
	res := patchable(t, "basic", Options{Dir: dir, Packages: []string{pkg}, Test: true, HoldInTestMain: true})
	ep, err := agentclient.NewEndpoint()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Remove() })
	ctx := testenv.Context(t)
	cmd := testenv.Command(ctx, res.Output, "-test.v")
	cmd.Env = append(append(os.Environ(), ep.Env()...), hostlink.EnvHold+"=1m")
	pr, pw, err := os.Pipe() // one stream; closed when the binary ends (the context's deadline kills it)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	testenv.Start(t, cmd)
	pw.Close()
	lines := testenv.Lines(pr)
	held := false
	for l := range lines {
		if strings.HasPrefix(l, hostlink.HoldingLine) {
			held = true
			break
		}
		before = append(before, l)
	}
	if !held {
		t.Fatalf("the binary ended without holding; its output: %q", before)
	}
	c, err := ep.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Release(ctx); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		after = append(after, l)
		if strings.HasPrefix(l, last) {
			break
		}
	}
	return before, after
}

// nameIfaceSymbol returns the symbol of interface{ Name() string }, the
// literal the fixture's shapes.NameOf asserts to.
func nameIfaceSymbol(t *testing.T) string {
	t.Helper()
	str := types.NewTuple(types.NewVar(token.NoPos, nil, "", types.Typ[types.String]))
	m := types.NewFunc(token.NoPos, nil, "Name", types.NewSignatureType(nil, nil, nil, nil, str, false))
	sym, ok := naming.IfaceLiteral(types.NewInterfaceType([]*types.Func{m}, nil).Complete())
	if !ok {
		t.Fatal("interface{ Name() string }: no symbol")
	}
	return sym
}
