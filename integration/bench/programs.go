package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/livepatch/livepatch/integration/bench/internal/benchkit"
	"github.com/livepatch/livepatch/integration/bench/internal/session"
)

// program is a program the start, build and size parts debug and build.
type program struct {
	name        string
	source      string   // where it comes from, for the report
	modDir      string   // its module's directory, where builds run
	pkgDir      string   // absolute directory of its main package
	breakFile   string   // absolute path of the breakpoint's file
	breakText   string   // the breakpoint is at the first line containing it
	args        []string // the program's arguments
	breakLine   int
	lines, pkgs int
}

// launchSpec returns how to launch p to its breakpoint, with the binary
// written to output.
func (p *program) launchSpec(output string) session.LaunchSpec {
	return session.LaunchSpec{Dir: p.modDir, Pkg: p.pkgDir, File: p.breakFile, Line: p.breakLine, Args: p.args, Output: output}
}

// info describes p for the report.
func (p *program) info() ProgramInfo {
	rel, _ := filepath.Rel(p.modDir, p.breakFile)
	return ProgramInfo{Name: p.name, Source: p.source, Lines: p.lines, Packages: p.pkgs,
		Breakpoint: fmt.Sprintf("%s:%d", rel, p.breakLine), ProgramArgs: strings.Join(p.args, " ")}
}

// counterProgram is the example program, examples/counter, in this module.
func counterProgram(ctx context.Context, root string) (*program, error) {
	dir := filepath.Join(root, "examples", "counter")
	p := &program{
		name: "counter", source: "examples/counter", modDir: root, pkgDir: dir,
		breakFile: filepath.Join(dir, "main.go"), breakText: "addr := flag.String(",
		args: []string{"-addr", "127.0.0.1:0"},
	}
	return p, p.resolve(ctx)
}

// delveProgram copies Delve's module from the module cache into a
// directory under tmp, replacing what is there, so that it can be built as
// a user's module would be (files under GOMODCACHE cannot be overlaid), and
// returns cmd/dlv in it; the caller removes the copy. Its go.mod and go.sum
// are Delve's own: every dependency is in the module cache already, because
// livepatch depends on Delve.
func delveProgram(ctx context.Context, tmp string) (*program, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", "github.com/go-delve/delve").Output()
	if err != nil {
		return nil, fmt.Errorf("locating delve in the module cache: %w", benchkit.WithStderr(err))
	}
	src, version, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	if src == "" {
		return nil, fmt.Errorf("delve is not in the module cache")
	}
	// A fixed path, so that the patcher's build directory for it (keyed by
	// the module's path) is reused from run to run instead of piling up.
	dst := filepath.Join(tmp, "livepatch-bench-delve-"+version)
	if err := os.RemoveAll(dst); err != nil {
		return nil, fmt.Errorf("copying delve: %w", err)
	}
	if err := benchkit.CopyTree(src, dst); err != nil {
		return nil, fmt.Errorf("copying delve: %w", err)
	}
	p := &program{
		name: "dlv", source: "github.com/go-delve/delve " + version + " cmd/dlv (copied from the module cache)",
		modDir: dst, pkgDir: filepath.Join(dst, "cmd", "dlv"),
		breakFile: filepath.Join(dst, "cmd", "dlv", "main.go"), breakText: "telemetry.Start(",
		args: []string{"version"},
	}
	return p, p.resolve(ctx)
}

// resolve finds the breakpoint line and counts the lines of p's own module
// that it links.
func (p *program) resolve(ctx context.Context) error {
	line, err := lineOf(p.breakFile, p.breakText)
	if err != nil {
		return err
	}
	p.breakLine = line
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f",
		`{{if .Module}}{{if .Module.Main}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{range .CgoFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}-{{"\n"}}{{end}}{{end}}`,
		p.pkgDir)
	cmd.Dir = p.modDir
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("listing the packages of %s: %w", p.name, benchkit.WithStderr(err))
	}
	for f := range strings.SplitSeq(string(out), "\n") {
		switch f {
		case "":
		case "-":
			p.pkgs++
		default:
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			p.lines += bytes.Count(b, []byte("\n"))
		}
	}
	return nil
}

// lineOf returns the 1-based number of the first line of file containing text.
func lineOf(file, text string) (int, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.Contains(sc.Text(), text) {
			return n, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: no line contains %q", file, text)
}
