package change

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/livepatch/livepatch/internal/patcher"
)

// Checked is a function of a change as the type checker saw it, with the
// rest of its package: what the native tier compiles (package native).
// It must not be modified.
type Checked struct {
	Fset *token.FileSet
	Decl *ast.FuncDecl
	Info *types.Info
	// Pkg is the package as the change declares it; Compiled, as built.
	Pkg, Compiled *types.Package
	// File is the path of the file that declares it, Src its text.
	File string
	Src  []byte
	// Imports are the file's imports.
	Imports []*ast.ImportSpec
	// Files are the saved files of the change, where what it declares
	// anew is declared.
	Files []ChangedFile
}

// ChangedFile is one saved file of a change.
type ChangedFile struct {
	Path   string
	Src    []byte
	Syntax *ast.File
}

// checkedFunc returns the checked form of fd, a function of the change
// declared in sf.
func (s *savedChange) checkedFunc(sf *savedFile, fd *ast.FuncDecl) *Checked {
	files := make([]ChangedFile, len(s.files))
	for i, f := range s.files {
		files[i] = ChangedFile{Path: f.tok.Name(), Src: f.src, Syntax: f.f}
	}
	return &Checked{Fset: s.prog.fset, Decl: fd, Info: s.info, Pkg: s.fresh, Compiled: s.compiled,
		File: sf.tok.Name(), Src: sf.src, Imports: sf.f.Imports, Files: files}
}

// Native returns what a plugin build needs to reproduce the build's
// packages (patcher.Result.Native), or nil when the build gives nothing.
func (b *Build) Native() *patcher.NativeBuild {
	if b.res == nil {
		return nil
	}
	return b.res.Native
}
