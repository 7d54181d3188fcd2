package target

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// AgentImportPath is the import path of the target-side agent package.
const AgentImportPath = "github.com/livepatch/livepatch/target/agent"

// ModulePath is the module path of the module written by WriteModule.
const ModulePath = "github.com/livepatch/livepatch"

// YaegiVersion is the yaegi version the agent module requires.
const YaegiVersion = "v0.16.1"

// yaegiSum holds go.sum lines for yaegi; a test keeps them equal to the
// repository's go.sum.
const yaegiSum = `github.com/traefik/yaegi v0.16.1 h1:f1De3DVJqIDKmnasUF6MwmWv1dSEEat0wcpXhD2On3E=
github.com/traefik/yaegi v0.16.1/go.mod h1:4eVhbPb3LnD2VigQjhYbEJ69vDRFdT2HQNrXx8eEwUY=
`

//go:embed agent/*.go agent/bintypes/*.go agent/fmtvalue/*.go agent/hostlink/*.go agent/ifacewrap/*.go agent/side/*.go agent/stdgeneric/*.go agent/wire/*.go
var agentFS embed.FS

// agentDir is where the agent's files go inside the module.
const agentDir = "target/agent"

// agentPackages are the directories of the agent's packages, relative to
// agent/ in agentFS and to agentDir in the module: the agent and its
// sub-packages. The embed directive lists the same.
var agentPackages = []string{".", "bintypes", "fmtvalue", "hostlink", "ifacewrap", "side", "stdgeneric", "wire"}

// ModuleFiles returns the files of the agent module, by slash-separated
// path relative to the module root. The result is the same on every call.
func ModuleFiles() (map[string][]byte, error) {
	files := map[string][]byte{
		"go.mod": []byte(fmt.Sprintf("module %s\n\ngo 1.22\n\nrequire github.com/traefik/yaegi %s\n", ModulePath, YaegiVersion)),
		"go.sum": []byte(yaegiSum),
	}
	for _, pkg := range agentPackages {
		dir := path.Join("agent", pkg)
		entries, err := fs.ReadDir(agentFS, dir)
		if err != nil {
			return nil, fmt.Errorf("agent sources: %w", err)
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			b, err := agentFS.ReadFile(path.Join(dir, name))
			if err != nil {
				return nil, fmt.Errorf("agent sources: %w", err)
			}
			files[path.Join(agentDir, pkg, name)] = b
		}
	}
	return files, nil
}

// WriteModule writes the agent module into dir: a go.mod for module
// github.com/livepatch/livepatch requiring yaegi, its go.sum lines, and the
// non-test sources of the agent and its sub-packages under target/agent.
// It is idempotent: files that
// already hold the right bytes are left untouched, stray .go files in the
// agent's directories are removed, and changed files are replaced atomically,
// so repeated builds hit the build cache. Concurrent calls for the same dir
// are safe as long as they write the same version. Errors are wrapped
// "write agent module: ...".
func WriteModule(dir string) error {
	files, err := ModuleFiles()
	if err != nil {
		return fmt.Errorf("write agent module: %w", err)
	}
	for _, pkg := range agentPackages {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(path.Join(agentDir, pkg))), 0o755); err != nil {
			return fmt.Errorf("write agent module: %w", err)
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := writeIfChanged(filepath.Join(dir, filepath.FromSlash(name)), files[name]); err != nil {
			return fmt.Errorf("write agent module: %w", err)
		}
	}
	for _, pkg := range agentPackages {
		pkgDir := path.Join(agentDir, pkg)
		stray, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(pkgDir)))
		if err != nil {
			return fmt.Errorf("write agent module: %w", err)
		}
		for _, e := range stray {
			if _, ok := files[path.Join(pkgDir, e.Name())]; !ok && strings.HasSuffix(e.Name(), ".go") {
				if err := os.Remove(filepath.Join(dir, filepath.FromSlash(pkgDir), e.Name())); err != nil {
					return fmt.Errorf("write agent module: %w", err)
				}
			}
		}
	}
	return nil
}

// writeIfChanged writes b to name unless it already holds b, through a
// temporary file and a rename.
func writeIfChanged(name string, b []byte) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, b) {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name)+"-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), name)
}
