package patcher

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

// A plugin cannot import package main: the go command refuses to, and the
// compiler reserves the import path "main". Yet a native patch of main
// must reach main's own functions, variables and types, the host's, not
// copies. A plugin shares a package with the host when it links the same
// package path, compiled from the same source with the same flags, and
// position-independent: the dynamic linker then binds the plugin's
// references to the host's symbols, as for every other package. So a
// native patch of main gets:
//
//   - package main compiled for plugins (-buildmode=plugin, which makes it
//     position-independent) with -p main, so that its symbols are main's
//     (MainForPlugin, with go list -export, once per session); a test
//     binary links main under its import path, with its test files, and
//     so is the archive then (TestedPackage, PluginMain.Linked);
//   - a stub package in the overlay, inside main's directory, that the
//     patch imports (so the go command builds what main imports) and whose
//     import the compiler is told to read as main's (an importmap line in
//     the compiler's import configuration), with main's archive given to
//     the compiler and to the linker. The go command has no flag for that:
//     a -toolexec script adds the two lines to the configurations it
//     writes, and runs every tool as given (so the build cache is shared);
//   - since main compiled for plugins carries the plugin's table of
//     exported symbols (the compiler writes it for any package main), the
//     plugin declares a placeholder for each exported function and
//     variable of main, which plugin.Open looks for under the plugin's
//     path, and hands its own functions to the agent as it loads
//     (internal/native's registration) rather than through that table.

// MainStubDir is the directory, inside package main's and in the overlay
// only, of the stub package through which a native patch imports main.
const MainStubDir = "lp_native_main"

// MainStubPath returns the import path of package main's stub.
func MainStubPath(mainPath string) string { return mainPath + "/" + MainStubDir }

// PluginMain is package main of a patchable build as a plugin links it.
type PluginMain struct {
	Path    string // main's import path
	Linked  string // the path its symbols carry: "main", or Path in a test binary
	Dir     string
	Archive string // main compiled for plugins, with main's symbols
	// Imports are the packages main imports, which the stub imports.
	Imports []string
	// Exported are main's exported package-level functions and
	// variables, the generated ones included: the names of main's plugin
	// table, for which the plugin declares placeholders.
	Exported []string
}

// MainForPlugin compiles package main (import path path) of the build for
// plugins, through go list -export with the build's flags and overlay.
func (nb *NativeBuild) MainForPlugin(ctx context.Context, path string) (*PluginMain, error) {
	if path == "command-line-arguments" {
		return nil, errors.New("package main named by its files rather than by its directory")
	}
	gcflags, err := mainGcflags(nb.Flags, path)
	if err != nil {
		return nil, err
	}
	ov, err := nb.asBuilt()
	if err != nil {
		return nil, fmt.Errorf("package main for a plugin: %w", err)
	}
	// A test binary links main's package with its test files, under its
	// import path (nativetest.go).
	linked, pflag := "main", " -p=main"
	if nb.Tested != nil && nb.Tested.Path == path {
		if gcflags, err = nb.Tested.addTested(ov.Replace, nb.Flags); err != nil {
			return nil, fmt.Errorf("package main for a plugin: %w", err)
		}
		linked, pflag = path, ""
	}
	data, err := json.Marshal(ov)
	if err != nil {
		return nil, err
	}
	ovPath := strings.TrimSuffix(nb.Overlay, ".json") + "-plugin-main.json"
	if err := os.WriteFile(ovPath, data, 0o644); err != nil {
		return nil, fmt.Errorf("package main for a plugin: %w", err)
	}
	args := []string{"list", "-export", "-buildmode=plugin", "-overlay", ovPath, "-json=ImportPath,Dir,Export,Imports,GoFiles,CompiledGoFiles,Error"}
	args = append(args, nb.Flags...)
	args = append(args, "-gcflags="+path+"="+gcflags+pflag, path)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir, cmd.Env, cmd.WaitDelay = nb.Dir, append(os.Environ(), nb.Env...), 5*time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var p struct {
		ImportPath, Dir, Export string
		Imports, GoFiles        []string
		CompiledGoFiles         []string
		Error                   *struct{ Err string }
	}
	if derr := json.Unmarshal(stdout.Bytes(), &p); derr != nil || p.Export == "" {
		if err == nil || errors.Is(err, syscall.ECHILD) {
			err = errors.New("no archive")
		}
		if p.Error != nil {
			err = errors.New(p.Error.Err)
		}
		return nil, fmt.Errorf("package main for a plugin: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	// A lost exit status (Delve reaps the go command while the program
	// runs, see Plugin) is harmless once the archive is named.
	files := p.CompiledGoFiles
	if len(files) == 0 {
		files = p.GoFiles
	}
	exported, err := exportedNames(ov.Replace, p.Dir, files)
	if err != nil {
		return nil, fmt.Errorf("package main for a plugin: %w", err)
	}
	imports := slices.DeleteFunc(p.Imports, func(s string) bool { return s == "C" })
	return &PluginMain{Path: p.ImportPath, Linked: linked, Dir: p.Dir, Archive: p.Export, Imports: imports, Exported: exported}, nil
}

// mainGcflags returns the compiler flags the build gives package main
// (import path path): those of the last -gcflags whose pattern matches it,
// as the go command chooses them. A pattern it cannot judge is an error.
func mainGcflags(flags []string, path string) (string, error) {
	var vals []string
	for i := 0; i < len(flags); i++ {
		f := flags[i]
		for _, name := range []string{"-gcflags", "--gcflags"} {
			switch {
			case strings.HasPrefix(f, name+"="):
				vals = append(vals, f[len(name)+1:])
			case f == name && i+1 < len(flags):
				i++
				vals = append(vals, flags[i])
			}
		}
	}
	found := ""
	for _, v := range vals {
		if strings.HasPrefix(v, "-") || v == "" {
			found = v // no pattern: the packages named, main among them
			continue
		}
		pattern, fl, ok := strings.Cut(v, "=")
		if !ok {
			found = v
			continue
		}
		switch {
		case pattern == "all":
			found = fl
		case pattern == "std" || pattern == "cmd":
		case strings.HasPrefix(pattern, "."), filepath.IsAbs(pattern):
			return "", fmt.Errorf("the -gcflags pattern %q, which livepatch cannot match to package main", pattern)
		default:
			re := "^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\.\.\.`, ".*") + "$"
			if strings.HasSuffix(pattern, "/...") {
				re = "^" + regexp.QuoteMeta(strings.TrimSuffix(pattern, "/...")) + "(/.*)?$"
			}
			if regexp.MustCompile(re).MatchString(path) {
				found = fl
			}
		}
	}
	return found, nil
}

// exportedNames returns the exported package-level functions (not
// methods) and variables of the files (relative to dir, or absolute), as
// the overlay's replace gives them.
func exportedNames(replace map[string]string, dir string, files []string) ([]string, error) {
	var names []string
	fset := token.NewFileSet()
	for _, f := range files {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		src := f
		if r, ok := replace[f]; ok {
			src = r
		}
		file, err := parser.ParseFile(fset, src, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					names = append(names, d.Name.Name)
				}
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, s := range d.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						if n.IsExported() {
							names = append(names, n.Name)
						}
					}
				}
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// mainStub returns the source of package main's stub: it imports what
// main imports, and names main's archive, so that a new archive (main's
// build changed) is a new stub to the build cache.
func (m *PluginMain) mainStub() []byte {
	var b bytes.Buffer
	b.WriteString(generatedHeader)
	fmt.Fprintf(&b, "package %s\n\n", MainStubDir)
	for _, imp := range m.Imports {
		fmt.Fprintf(&b, "import _ %q\n", imp)
	}
	fmt.Fprintf(&b, "\nconst archive = %q\n", m.Archive)
	return b.Bytes()
}

// toolexec returns the -toolexec script of a plugin build of package
// pluginPath that imports package main through its stub: it adds main's
// archive to the import configurations of the plugin's compile and of
// its link, and runs each tool as given.
func (m *PluginMain) toolexec(pluginPath string) []byte {
	q := shellQuote
	return []byte(`#!/bin/sh
# Generated by livepatch: a native patch of package main imports it.
tool=$1; shift
cfg= p= prev=
for a in "$@"; do
	[ "$prev" = -importcfg ] && cfg=$a
	[ "$prev" = -p ] && p=$a
	prev=$a
done
case "${tool##*/}" in
compile) [ "$p" = ` + q(pluginPath) + ` ] && printf '%s\n' ` + q("importmap "+MainStubPath(m.Path)+"="+m.Linked) + ` ` + q("packagefile "+m.Linked+"="+m.Archive) + ` >>"$cfg" ;;
link) [ -n "$cfg" ] && printf '%s\n' ` + q("packagefile "+m.Linked+"="+m.Archive) + ` >>"$cfg" ;;
esac
exec "$tool" "$@"
`)
}

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
