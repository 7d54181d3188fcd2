package change

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sync"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/rewrite"
)

// Compiled generic functions a saved change needs interpreted: the
// rewriting (package rewrite, generic.go) collects them in
// rewrite.Change.Generics, the checker rewrites their declarations as
// helpers of the change, and the build's instantiation symbols are looked
// up here for the rewriting (rewrite.Input.InstanceNames).

// instanceCache holds, by user package, the names of the instantiations
// its symbol table holds, computed on first use from the build's type
// information with the builder's own function.
type instanceCache struct {
	mu    sync.Mutex
	byPkg map[string]map[string]bool
}

// instanceNames returns the instantiation symbols of the table of user
// package path.
func (p *Program) instanceNames(path string) map[string]bool {
	p.instances.mu.Lock()
	defer p.instances.mu.Unlock()
	if names, ok := p.instances.byPkg[path]; ok {
		return names
	}
	names := map[string]bool{}
	for _, ref := range p.files {
		if lp := ref.pkg; lp.PkgPath == path && lp.Types != nil && lp.TypesInfo != nil {
			for _, inst := range patcher.PackageInstances(lp.Types, lp.TypesInfo) {
				names[inst.Name] = true
			}
			break
		}
	}
	if p.instances.byPkg == nil {
		p.instances.byPkg = map[string]map[string]bool{}
	}
	p.instances.byPkg[path] = names
	return names
}

// genericHelpers adds to ch's helpers the interpreted copies of the
// compiled generic functions that the change's code needs (ci.Generics),
// rewritten, and to imports their import specs; rewriting one may need
// more. s is the saved change.
func (prog *Program) genericHelpers(ch *Change, s *savedChange, imports map[string]bool) error {
	ci := s.ci
	done := map[*types.Func]bool{}
	for {
		var next *types.Func
		for fn := range ci.Generics {
			if !done[fn] && (next == nil || fn.Pos() < next.Pos()) {
				next = fn
			}
		}
		if next == nil {
			return nil
		}
		done[next] = true
		text, rw, err := prog.rewriteGeneric(next, s)
		if err != nil {
			return err
		}
		ch.Helpers = append(ch.Helpers, text)
		for _, s := range rw {
			imports[s] = true
		}
	}
}

// rewriteGeneric rewrites the declaration of fn, a generic function of the
// changed package, in the file that declares it: a saved one, or
// another as built, whose text on disk must still be the one the build
// parsed. It returns the rewritten declaration and its import specs.
func (prog *Program) rewriteGeneric(fn *types.Func, s *savedChange) (string, []string, error) {
	ci, info := s.ci, s.info
	var ref fileRef
	var text []byte
	if sf := s.fileOf(fn.Pos()); sf != nil {
		ref, text = sf.ref(s), sf.src
	} else {
		tf := prog.fset.File(fn.Pos())
		found := false
		for _, r := range prog.files {
			if r.tok == tf {
				ref, found = r, true
			}
		}
		if !found {
			return "", nil, fmt.Errorf("rewrite: no file declares generic function %s", fn.Name())
		}
		b, err := os.ReadFile(tf.Name())
		if err != nil || !sameLayout(b, tf) {
			return "", nil, diag.Diagnostics{{Pos: token.Position{Filename: filepath.Base(tf.Name())}, Kind: diag.RefusedRestart, Msg: "generic function " + fn.Name() + ": the file changed since the build"}}
		}
		text = b
	}
	var fd *ast.FuncDecl
	for _, d := range ref.file.Decls {
		if f, ok := d.(*ast.FuncDecl); ok && f.Body != nil && info.Defs[f.Name] == fn {
			fd = f
		}
	}
	if fd == nil {
		return "", nil, fmt.Errorf("rewrite: no declaration of generic function %s", fn.Name())
	}
	in := declInput(ref, info, text, fd, ci.Pkg, prog.importNames(ref.file), ci)
	rw, err := prog.Rewrite(in, false)
	if err != nil {
		return "", nil, positioned(err, filepath.Base(ref.tok.Name()), prog.fset.Position(fd.Pos()).Line-1)
	}
	return rw.Src, append(rw.Imports, signatureImports(prog, info, fd)...), nil
}

// buildShape returns the patcher.GenericShape of the generic function or
// method key as built: what its prologue gives the agent, which its patch
// must fit.
func (prog *Program) buildShape(key string) (patcher.GenericShape, bool) {
	for _, ref := range prog.files {
		lp := ref.pkg
		if lp == nil || lp.TypesInfo == nil {
			continue
		}
		for _, d := range ref.file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && patcher.IsGeneric(fd) && patcher.FuncKey(lp.PkgPath, fd) == key {
				sh, why := patcher.ShapeOf(lp.Types, fd, lp.TypesInfo, nil)
				return sh, why == ""
			}
		}
	}
	return patcher.GenericShape{}, false
}

// rewriteGenericPatch rewrites fd, the saved declaration of key, a generic
// function or method, into its patch (rewrite.GenericPatch).
func (s *savedChange) rewriteGenericPatch(in *rewrite.Input, key string, fd *ast.FuncDecl) (*rewrite.Output, error) {
	sh, ok := s.prog.buildShape(key)
	if !ok {
		return nil, diag.Diagnostics{{Pos: s.prog.fset.Position(fd.Pos()), Kind: diag.RefusedRestart, Msg: "generic function " + fd.Name.Name + ": not among the build's patchable generic functions"}}
	}
	in.Generic = &rewrite.GenericPatch{Instances: sh.Instances, Funcs: sh.Funcs, Methods: sh.Methods}
	return s.prog.Rewrite(in, false)
}

// sameLayout reports whether b has the size and line starts of tf: a
// file's text as the build parsed it, unless an edit kept every line's
// length.
func sameLayout(b []byte, tf *token.File) bool {
	if len(b) != tf.Size() {
		return false
	}
	lines := tf.Lines()
	k := 0
	for i := range b {
		if i == 0 || b[i-1] == '\n' {
			if k >= len(lines) || lines[k] != i {
				return false
			}
			k++
		}
	}
	return k == len(lines)
}
