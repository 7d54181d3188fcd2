package usermod

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/livepatch/livepatch/target"
)

// Modules describes the main module or workspace of a build: which
// directories hold user modules and how to make the agent resolvable.
type Modules struct {
	Dir    string // directory the build runs in
	GoMod  string // the main go.mod (module mode); "" in workspace mode
	GoWork string // the go.work file (workspace mode); "" in module mode
	// MainPath is the main module's path in module mode, or the path of
	// the first workspace module.
	MainPath string
	// Roots are the directories of the user modules (main module or workspace
	// modules), cleaned and absolute.
	Roots []string
	// Self is true when a user module is livepatch itself: no require,
	// replace or use is added.
	Self bool
	// Vendor is true when the main module has a vendor directory.
	Vendor bool
	// Toolchain describes the go command and target platform (toolchainKeys
	// as the go command reports them), for the build's fingerprint.
	Toolchain string
}

// toolchainKeys are the go env settings that can change what a build
// produces besides the sources and the options: the toolchain, the target
// platform and flags set with `go env -w`.
var toolchainKeys = []string{
	"GOVERSION", "GOROOT", "GOOS", "GOARCH", "GOFLAGS", "CGO_ENABLED", "GOEXPERIMENT",
	"GOAMD64", "GOARM", "GOARM64", "GO386", "GOMIPS", "GOMIPS64", "GOPPC64", "GORISCV64", "GOWASM",
	"CC", "CXX", "CGO_CFLAGS", "CGO_LDFLAGS",
}

// goEnv runs `go env -json` for keys in dir with env and returns the values.
func goEnv(ctx context.Context, dir string, env []string, keys ...string) (map[string]string, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"env", "-json"}, keys...)...)
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	vals := map[string]string{}
	if err := json.Unmarshal(out, &vals); err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	return vals, nil
}

// Find reports the main module or workspace that a build in dir uses.
// It fails when dir is not inside a module.
func Find(ctx context.Context, dir string, env []string) (*Modules, error) {
	vals, err := goEnv(ctx, dir, env, append([]string{"GOMOD", "GOWORK"}, toolchainKeys...)...)
	if err != nil {
		return nil, err
	}
	m := &Modules{Dir: dir}
	for _, k := range toolchainKeys {
		m.Toolchain += fmt.Sprintf("%s=%q\n", k, vals[k])
	}
	if w := vals["GOWORK"]; w != "" && w != "off" {
		m.GoWork = w
		data, err := os.ReadFile(w)
		if err != nil {
			return nil, fmt.Errorf("read go.work: %w", err)
		}
		wf, err := modfile.ParseWork(w, data, nil)
		if err != nil {
			return nil, fmt.Errorf("parse go.work: %w", err)
		}
		for _, u := range wf.Use {
			root := absFrom(filepath.Dir(w), u.Path)
			m.Roots = append(m.Roots, root)
			path := modulePath(filepath.Join(root, "go.mod"))
			if m.MainPath == "" {
				m.MainPath = path
			}
			if path == target.ModulePath {
				m.Self = true
			}
		}
		return m, nil
	}
	gomod := vals["GOMOD"]
	if gomod == "" || gomod == os.DevNull {
		return nil, fmt.Errorf("find module: %s is not inside a Go module (no go.mod)", dir)
	}
	m.GoMod = gomod
	root := filepath.Dir(gomod)
	m.Roots = []string{root}
	m.MainPath = modulePath(gomod)
	m.Self = m.MainPath == target.ModulePath
	if fi, err := os.Stat(filepath.Join(root, "vendor", "modules.txt")); err == nil && !fi.IsDir() {
		m.Vendor = true
	}
	return m, nil
}

// absFrom resolves a go.mod or go.work path p relative to dir.
func absFrom(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, filepath.FromSlash(p))
}

// isLocalPath reports whether a replacement path in go.mod names a directory.
func isLocalPath(p string) bool {
	return filepath.IsAbs(p) || p == "." || p == ".." ||
		strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") ||
		strings.HasPrefix(p, `.\`) || strings.HasPrefix(p, `..\`)
}

// modulePath returns the module path declared in the go.mod file at path, or
// "" when it cannot be read.
func modulePath(gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	return modfile.ModulePath(data)
}

// IsUserFile reports whether filename lies in a user module (and not in its
// vendor directory).
func (m *Modules) IsUserFile(filename string) bool {
	for _, r := range m.Roots {
		if rel, err := filepath.Rel(r, filename); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return !strings.HasPrefix(rel, "vendor"+string(filepath.Separator))
		}
	}
	return false
}

// PackageDirs returns every directory of the user modules that the go
// command may take for a package, sorted.
func (m *Modules) PackageDirs() ([]string, error) {
	var dirs []string
	for _, root := range m.Roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				return nil
			}
			if path != root {
				// What the go command ignores, other modules (the
				// workspace's are walked as roots of their own) and
				// vendored code, which -mod=mod does not use.
				name := d.Name()
				if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" ||
					(name == "vendor" && filepath.Dir(path) == root) {
					return filepath.SkipDir
				}
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && !slices.Contains(m.Roots, path) {
					return filepath.SkipDir
				}
			}
			dirs = append(dirs, path)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(dirs)
	return dirs, nil
}

// Plumbing is how a build makes the agent module resolvable.
type Plumbing struct {
	Flags     []string // go command flags, before the user's build flags
	LateFlags []string // go command flags after the debug -gcflags
	Env       []string // environment entries for the go command
}

// Plumb writes into buildDir the files that make the agent module at
// agentDir resolvable without touching the user's files, and returns the
// go command flags and environment entries that use them: an alternate
// go.mod and go.sum (-modfile, -mod=mod) in module mode, an alternate go.work
// (GOWORK) in workspace mode, nothing when the user's module is livepatch.
//
// When the agent module needs a newer go version than the user's go.mod or
// go.work states, the alternate file states the agent's (the go command
// would raise it anyway) and keeps the program's semantics: a godebug
// default for the user's version keeps the default GODEBUG settings, and in
// module mode a late -gcflags for the main module's packages, gcflags (the
// build's compiler flags) plus -lang, keeps their language version (loop
// variables, for one, changed in Go 1.22).
func (m *Modules) Plumb(buildDir, agentDir, gcflags string) (*Plumbing, error) {
	if m.Self {
		return &Plumbing{}, nil
	}
	agentSum, err := os.ReadFile(filepath.Join(agentDir, "go.sum"))
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read agent go.sum: %w", err)
	}
	agentGo := goVersionOf(filepath.Join(agentDir, "go.mod"))
	if m.GoWork != "" {
		return m.plumbWork(buildDir, agentDir, agentGo, agentSum)
	}
	data, err := os.ReadFile(m.GoMod)
	if err != nil {
		return nil, fmt.Errorf("read go.mod: %w", err)
	}
	mf, err := modfile.Parse(m.GoMod, data, nil)
	if err != nil {
		return nil, fmt.Errorf("parse go.mod: %w", err)
	}
	modDir := filepath.Dir(m.GoMod)
	for _, r := range mf.Replace {
		if r.New.Version == "" && isLocalPath(r.New.Path) {
			if err := mf.AddReplace(r.Old.Path, r.Old.Version, absFrom(modDir, r.New.Path), ""); err != nil {
				return nil, fmt.Errorf("alternate go.mod: %w", err)
			}
		}
	}
	if err := mf.AddRequire(target.ModulePath, "v0.0.0"); err != nil {
		return nil, fmt.Errorf("alternate go.mod: %w", err)
	}
	if err := mf.AddReplace(target.ModulePath, "", agentDir, ""); err != nil {
		return nil, fmt.Errorf("alternate go.mod: %w", err)
	}
	pl := &Plumbing{}
	userGo := defaultGoVersion
	if mf.Go != nil {
		userGo = mf.Go.Version
	}
	if agentGo != "" && compareGoVersions(userGo, agentGo) < 0 {
		if err := mf.AddGoStmt(agentGo); err != nil {
			return nil, fmt.Errorf("alternate go.mod: %w", err)
		}
		if !hasGodebugDefault(mf.Godebug) {
			if err := mf.AddGodebug("default", "go"+langVersion(userGo)); err != nil {
				return nil, fmt.Errorf("alternate go.mod: %w", err)
			}
		}
		// (Files named on the command line form command-line-arguments,
		// which the go command compiles at its own version anyway.)
		if mf.Module != nil {
			pl.LateFlags = []string{fmt.Sprintf("-gcflags=%s/...=%s -lang=go%s", mf.Module.Mod.Path, gcflags, langVersion(userGo))}
		}
	}
	mf.Cleanup()
	out, err := mf.Format()
	if err != nil {
		return nil, fmt.Errorf("alternate go.mod: %w", err)
	}
	altMod := filepath.Join(buildDir, "go.mod")
	if err := WriteIfChanged(altMod, out); err != nil {
		return nil, err
	}
	userSum, err := os.ReadFile(filepath.Join(modDir, "go.sum"))
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read go.sum: %w", err)
	}
	if err := WriteIfChanged(filepath.Join(buildDir, "go.sum"), mergeSums(userSum, agentSum)); err != nil {
		return nil, err
	}
	pl.Flags = []string{"-modfile=" + altMod, "-mod=mod"}
	return pl, nil
}

// defaultGoVersion is the version the go command assumes for a go.mod
// without a go line.
const defaultGoVersion = "1.16"

// hasGodebugDefault reports whether godebug lines set the default.
func hasGodebugDefault(gs []*modfile.Godebug) bool {
	for _, g := range gs {
		if g.Key == "default" {
			return true
		}
	}
	return false
}

// langVersion returns the language version of a go version: "1.21" for
// "1.21.3" or "1.21rc1".
func langVersion(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	minor := parts[1]
	for i, r := range minor {
		if r < '0' || r > '9' {
			minor = minor[:i]
			break
		}
	}
	return parts[0] + "." + minor
}

// plumbWork writes the alternate go.work and go.work.sum for workspace mode.
func (m *Modules) plumbWork(buildDir, agentDir, agentGo string, agentSum []byte) (*Plumbing, error) {
	data, err := os.ReadFile(m.GoWork)
	if err != nil {
		return nil, fmt.Errorf("read go.work: %w", err)
	}
	wf, err := modfile.ParseWork(m.GoWork, data, nil)
	if err != nil {
		return nil, fmt.Errorf("parse go.work: %w", err)
	}
	workDir := filepath.Dir(m.GoWork)
	var uses []string
	for _, u := range wf.Use {
		uses = append(uses, u.Path)
	}
	for _, u := range uses {
		wf.DropUse(u)
		if err := wf.AddUse(absFrom(workDir, u), ""); err != nil {
			return nil, fmt.Errorf("alternate go.work: %w", err)
		}
	}
	for _, r := range wf.Replace {
		if r.New.Version == "" && isLocalPath(r.New.Path) {
			if err := wf.AddReplace(r.Old.Path, r.Old.Version, absFrom(workDir, r.New.Path), ""); err != nil {
				return nil, fmt.Errorf("alternate go.work: %w", err)
			}
		}
	}
	if err := wf.AddUse(agentDir, ""); err != nil {
		return nil, fmt.Errorf("alternate go.work: %w", err)
	}
	// A workspace's go line must be at least every module's. Each module
	// keeps its own language version; the workspace's go line sets the
	// default GODEBUG settings, which a godebug default keeps.
	workGo := defaultGoVersion
	if wf.Go != nil {
		workGo = wf.Go.Version
	}
	if agentGo != "" && compareGoVersions(workGo, agentGo) < 0 {
		if err := wf.AddGoStmt(agentGo); err != nil {
			return nil, fmt.Errorf("alternate go.work: %w", err)
		}
		if !hasGodebugDefault(wf.Godebug) {
			if err := wf.AddGodebug("default", "go"+langVersion(workGo)); err != nil {
				return nil, fmt.Errorf("alternate go.work: %w", err)
			}
		}
	}
	wf.Cleanup()
	altWork := filepath.Join(buildDir, "go.work")
	if err := WriteIfChanged(altWork, modfile.Format(wf.Syntax)); err != nil {
		return nil, err
	}
	userSum, err := os.ReadFile(m.GoWork + ".sum")
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read go.work.sum: %w", err)
	}
	if err := WriteIfChanged(altWork+".sum", mergeSums(userSum, agentSum)); err != nil {
		return nil, err
	}
	return &Plumbing{Env: []string{"GOWORK=" + altWork}}, nil
}

// goVersionOf returns the go directive of the go.mod at path, or "".
func goVersionOf(gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	mf, err := modfile.ParseLax(gomod, data, nil)
	if err != nil || mf.Go == nil {
		return ""
	}
	return mf.Go.Version
}

// compareGoVersions compares Go versions like "1.21" and "1.26.8" numerically.
func compareGoVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(strings.TrimLeft(as[i], "go"))
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(strings.TrimLeft(bs[i], "go"))
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// mergeSums returns the lines of a followed by the lines of b not in a.
func mergeSums(a, b []byte) []byte {
	var out bytes.Buffer
	seen := map[string]bool{}
	for _, src := range [][]byte{a, b} {
		for _, line := range strings.Split(string(src), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || seen[line] {
				continue
			}
			seen[line] = true
			out.WriteString(line)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}
