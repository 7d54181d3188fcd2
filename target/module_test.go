package target

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestYaegiSumMatchesRepository keeps the go.sum lines written for the
// agent module equal to the repository's.
func TestYaegiSumMatchesRepository(t *testing.T) {
	b, err := os.ReadFile("../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "github.com/traefik/yaegi "+YaegiVersion+" ") || strings.HasPrefix(line, "github.com/traefik/yaegi "+YaegiVersion+"/go.mod ") {
			want = append(want, line)
		}
	}
	if got := strings.Join(want, "\n") + "\n"; got != yaegiSum {
		t.Errorf("yaegiSum is out of date:\ngot  %q\nwant %q", yaegiSum, got)
	}
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(gomod), "github.com/traefik/yaegi "+YaegiVersion) {
		t.Errorf("go.mod does not require yaegi %s", YaegiVersion)
	}
}

// TestAgentPackagesEmbedded checks that agentPackages names every
// directory under agent/ that holds non-test Go files, except the agent's
// internal tools (agent/internal), so that every sub-package the agent
// imports is written into the module.
func TestAgentPackagesEmbedded(t *testing.T) {
	seen := map[string]bool{}
	var dirs []string
	err := filepath.WalkDir("agent", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p == filepath.Join("agent", "internal") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel("agent", filepath.Dir(p))
		if err != nil {
			return err
		}
		if rel = filepath.ToSlash(rel); !seen[rel] {
			seen[rel] = true
			dirs = append(dirs, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	want := append([]string(nil), agentPackages...)
	sort.Strings(want)
	if got, want := strings.Join(dirs, " "), strings.Join(want, " "); got != want {
		t.Errorf("agent directories with Go files: %s; agentPackages: %s", got, want)
	}
}

func TestWriteModule(t *testing.T) {
	dir := t.TempDir()
	if err := WriteModule(dir); err != nil {
		t.Fatal(err)
	}
	files, err := ModuleFiles()
	if err != nil {
		t.Fatal(err)
	}
	for name := range files {
		if strings.HasSuffix(name, "_test.go") {
			t.Errorf("test file %s in the module", name)
		}
	}
	for _, name := range []string{"target/agent/table.go", "target/agent/stdgeneric/table.go"} {
		if _, ok := files[name]; !ok {
			t.Errorf("%s missing", name)
		}
	}
	stat := func() map[string]time.Time {
		m := map[string]time.Time{}
		filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				m[p] = fi.ModTime()
			}
			return nil
		})
		return m
	}
	before := stat()
	for _, stray := range []string{filepath.Join(dir, "target", "agent", "old.go"), filepath.Join(dir, "target", "agent", "stdgeneric", "old.go")} {
		if err := os.WriteFile(stray, []byte("package agent\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteModule(dir); err != nil {
		t.Fatal(err)
	}
	after := stat()
	if len(after) != len(before) {
		t.Errorf("second write: %d files, want %d (stray file kept?)", len(after), len(before))
	}
	for p, m := range before {
		if !after[p].Equal(m) {
			t.Errorf("second write touched %s", p)
		}
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from the embedded file (%v)", name, err)
		}
	}

	// The module builds on its own, offline.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off", "GOWORK=off")
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build in the written module: %v\n%s", err, out)
	}
}
