package change

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/rewrite"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// Change is a saved file of a user package, type-checked together with the
// rest of its package and rewritten for the agent.
type Change struct {
	// Funcs are the replacements of the functions asked for, by key.
	Funcs map[string]*Replacement
	// Helpers are the declarations the replacements may use, rewritten:
	// the functions asked for as helpers, the types the file declares
	// anew with their methods, and the methods it adds to compiled types,
	// each as a function lpNew_T_m(recv) that returns the method value.
	Helpers []string
	// Imports are the import specs the helpers need.
	Imports []string
	// Consts names the constants of the package whose value differs from
	// the compiled one, new ones included. Replacements and helpers use
	// their new values; compiled code has the old ones folded in.
	Consts []string
	// NewMethods lists the methods the file adds to compiled types, as
	// T.m or (*T).m.
	NewMethods []string
	// Vars are the package variables the change makes live, in the order
	// Go initializes them (planvars.go).
	Vars []wire.Var

	// NativeOnly says why the interpreter cannot take the change, which
	// the native tier can ("" when it can): it goes live natively only.
	NativeOnly string

	fresh   *types.Package // the package as the change declares it
	info    *types.Info    // its check
	checked []*ast.File    // the saved files as checked, with the bodies the change rewrites

	pkgPath string     // the package changed
	side    sideFields // the fields it adds to compiled struct types (sidefields.go)
}

// Replacement is a function or method declaration rewritten for the agent:
// package variables and unexported fields of compiled types are reached
// through the builder's generated accessors, as the prompt's inputs are.
type Replacement struct {
	// Source is the declaration, with the same lines as the one given.
	Source string
	// Imports are the import specs the source needs in the interpreter.
	Imports []string
	// Checked is the declaration as checked, for the native tier; nil for
	// a prompt redefinition and a generic function.
	Checked *Checked
	// TypeParams are the type parameters' names of a generic function's
	// patch (wire.Patch.TypeParams).
	TypeParams []string
}

// ImportsOf returns the import specs the replacement of key needs with the
// change's helpers: its own and the helpers', each once.
func (ch *Change) ImportsOf(key string) []string {
	var own []string
	if rep := ch.Funcs[key]; rep != nil {
		own = rep.Imports
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string(nil), own...), ch.Imports...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// AgentPatch returns the agent's patch of the replacement of key, a
// function declared at line of file, with the change's helpers: what a
// save, a prompt redefinition and a repatch send alike.
func (ch *Change) AgentPatch(key, file string, line int) wire.Patch {
	return wire.Patch{Ref: wire.Ref{Key: key}, Source: ch.Funcs[key].Source, Imports: ch.ImportsOf(key),
		File: filepath.Base(file), Line: line, Helpers: ch.Helpers, Vars: ch.Vars, TypeParams: ch.Funcs[key].TypeParams}
}

// rewriteChange is RewriteChange with the build's type information.
func (prog *Program) rewriteChange(file string, src []byte, apply, helpers []string) (*Change, error) {
	return prog.rewriteFiles(map[string][]byte{file: src}, apply, helpers, nil, NativeMode{})
}

// set returns the strings of list as a set.
func set(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

// declarations returns a copy of f, a file of the build, without function
// bodies, made once per file. The copy shares f's nodes, which the type
// checker does not modify.
func (p *Program) declarations(f *ast.File) *ast.File {
	p.declMu.Lock()
	defer p.declMu.Unlock()
	if d, ok := p.decls[f]; ok {
		return d
	}
	d := withBodies(f, func(fd *ast.FuncDecl) bool {
		return fd.Type.TypeParams != nil || fd.Recv == nil && fd.Name.Name == "init"
	})
	if p.decls == nil {
		p.decls = map[*ast.File]*ast.File{}
	}
	p.decls[f] = d
	return d
}

// withBodies returns a copy of f in which only the functions keep says
// yes to have a body. The copy shares f's nodes.
func withBodies(f *ast.File, keep func(*ast.FuncDecl) bool) *ast.File {
	d := *f
	d.Decls = make([]ast.Decl, len(f.Decls))
	for i, decl := range f.Decls {
		if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil && !keep(fd) {
			bodiless := *fd
			bodiless.Body = nil
			decl = &bodiless
		}
		d.Decls[i] = decl
	}
	return &d
}

// syntaxKey returns the key of fd, a declaration of package pkgPath, from
// its syntax, and the name of its receiver's type ("" for a function).
func syntaxKey(pkgPath string, fd *ast.FuncDecl) (key, recv string) {
	recv, _, _, _ = patcher.ReceiverBase(fd)
	return patcher.FuncKey(pkgPath, fd), recv
}

// unusedImport matches the type checker's message for an unused import.
var unusedImport = regexp.MustCompile(`^("[^"]*") imported( as \S+)? and not used$`)

// couldNotImport matches the type checker's message for an import that
// the importer refused, with the path.
var couldNotImport = regexp.MustCompile(`^could not import (\S+) \(`)

// positioned places the diagnostics of the rewriting of a declaration
// whose first line is line+1 of file in the file.
func positioned(err error, file string, line int) error {
	var ds diag.Diagnostics
	if !errors.As(err, &ds) {
		return err
	}
	out := make(diag.Diagnostics, len(ds))
	for i, d := range ds {
		if d.Pos.Filename == "" && d.Pos.Line > 0 {
			d.Pos.Filename, d.Pos.Line = file, d.Pos.Line+line
		}
		out[i] = d
	}
	return out
}

// inFunc sets the function of the diagnostics of err that have none to
// key ("" leaves them so).
func inFunc(err error, key string) error {
	var ds diag.Diagnostics
	if key == "" || !errors.As(err, &ds) {
		return err
	}
	out := make(diag.Diagnostics, len(ds))
	for i, d := range ds {
		if d.Func == "" {
			d.Func = key
		}
		out[i] = d
	}
	return out
}

// funcAt returns the key of the function declaration of f that holds pos,
// or "".
func funcAt(f *ast.File, pkgPath string, pos token.Pos) string {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Pos() <= pos && pos < fd.End() {
			key, _ := syntaxKey(pkgPath, fd)
			return key
		}
	}
	return ""
}

// methodSets caches the method names of compiled types, by type name:
// a type of a large package can have hundreds of methods, and every method
// declaration of a saved file asks about its receiver's.
type methodSets map[*types.TypeName]map[string]bool

// has reports whether obj, a compiled type name, has a method called name
// (declared on it, promoted to it, or in its interface).
func (ms methodSets) has(obj types.Object, name string) bool {
	tn, ok := obj.(*types.TypeName)
	if !ok {
		return false
	}
	names, ok := ms[tn]
	if !ok {
		set := types.NewMethodSet(types.NewPointer(tn.Type()))
		names = make(map[string]bool, set.Len())
		for i := 0; i < set.Len(); i++ {
			names[set.At(i).Obj().Name()] = true
		}
		ms[tn] = names
	}
	return names[name]
}

// funcKey returns the agent's key of a function or method: "path.F",
// "path.T.M" or "path.(*T).M".
func funcKey(fn *types.Func) string {
	if rewrite.RecvNamed(fn) != nil {
		return fn.Pkg().Path() + "." + methodName(fn)
	}
	return fn.Pkg().Path() + "." + fn.Name()
}

// methodName writes a method as T.m or (*T).m.
func methodName(fn *types.Func) string {
	named := rewrite.RecvNamed(fn)
	if _, ptr := types.Unalias(fn.Type().(*types.Signature).Recv().Type()).(*types.Pointer); ptr {
		return "(*" + named.Obj().Name() + ")." + fn.Name()
	}
	return named.Obj().Name() + "." + fn.Name()
}

// newlySatisfied returns the name of an interface of the program that the
// compiled type named (as the change declares it) satisfies with its new
// method fn and did not satisfy before, or "". Interfaces of fn's own
// package are taken as the change declares them, others as linked.
func newlySatisfied(prog *Program, compiled *types.Package, named *types.Named, fn *types.Func) string {
	oldObj, _ := compiled.Scope().Lookup(named.Obj().Name()).(*types.TypeName)
	if oldObj == nil {
		return ""
	}
	check := func(pkg *types.Package, name string, before *types.Package) string {
		tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok || !tn.Exported() && pkg != named.Obj().Pkg() {
			return ""
		}
		it, ok := tn.Type().Underlying().(*types.Interface)
		if !ok || it.Empty() || !it.IsMethodSet() {
			return ""
		}
		has := false
		for i := 0; i < it.NumMethods(); i++ {
			has = has || it.Method(i).Name() == fn.Name()
		}
		if !has || !types.Implements(types.NewPointer(named), it) {
			return ""
		}
		oldIt := it
		if before != nil {
			bt, ok := before.Scope().Lookup(name).(*types.TypeName)
			if !ok {
				return ""
			}
			oldIt, _ = bt.Type().Underlying().(*types.Interface)
		}
		if oldIt != nil && types.Implements(types.NewPointer(oldObj.Type()), oldIt) {
			return ""
		}
		if pkg == named.Obj().Pkg() {
			return name
		}
		return pkg.Path() + "." + name
	}
	if fn.Name() == "Error" {
		if it := types.Universe.Lookup("error").Type().Underlying().(*types.Interface); types.Implements(types.NewPointer(named), it) &&
			!types.Implements(types.NewPointer(oldObj.Type()), it) {
			return "error"
		}
	}
	self := named.Obj().Pkg()
	for _, name := range self.Scope().Names() {
		if s := check(self, name, compiled); s != "" {
			return s
		}
	}
	paths := make([]string, 0, len(prog.pkgs))
	for path := range prog.pkgs {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		pkg := prog.pkgs[path]
		if path == self.Path() {
			continue
		}
		for _, name := range pkg.Scope().Names() {
			if s := check(pkg, name, nil); s != "" {
				return s
			}
		}
	}
	return ""
}

// methodMaker writes a method that a change adds to a compiled type as the
// function that stands for it: `func (c *T) m(x int) int { body }`
// becomes `func lpNew_T_m(c *T) func(x int) int { return func(x int) int
// { body } }`, so that the rewritten selector lpNew_T_m(c) is the method
// value. text is the rewritten declaration, which starts at offset from of
// tok; typeName is T.
func methodMaker(fd *ast.FuncDecl, typeName, text string, from int, tok *token.File) string {
	off := func(p token.Pos) int { return tok.Offset(p) - from }
	recv := fd.Recv.List[0]
	recvText := text[off(recv.Type.Pos()):off(recv.Type.End())]
	name := "lpR"
	if len(recv.Names) > 0 {
		name = recv.Names[0].Name
	}
	sig := text[off(fd.Type.Params.Opening):off(fd.Type.End())]
	body := text[off(fd.Body.Lbrace):]
	return fmt.Sprintf("func %s%s_%s(%s %s) func%s { return func%s %s }", rewrite.NewMethodPrefix, typeName, fd.Name.Name, name, recvText, sig, sig, body)
}

// importNames maps each import path of f, a file of the build or a saved
// one, to the name it binds there: the file's own name for it, or the
// package's.
func (prog *Program) importNames(f *ast.File) map[string]string {
	names := map[string]string{}
	for _, is := range FileImports(f) {
		if is.Name != "" {
			names[is.Path] = is.Name
		} else if ip := prog.pkgs[is.Path]; ip != nil {
			names[is.Path] = ip.Name()
		}
	}
	return names
}

// declInput returns the rewriter's input for declaration d of the file
// that ref, info and src hold (src is the file's text): a function's body
// with the declaration (whose signature the rewriter may rename in,
// params.go), or a type's declaration. pkg is the package the rewritten
// code is checked as, names the file's import names (importNames).
func declInput(ref fileRef, info *types.Info, src []byte, d ast.Decl, pkg *types.Package, names map[string]string, ci *rewrite.Change) *rewrite.Input {
	tok := ref.tok
	from, to := tok.Offset(d.Pos()), tok.Offset(d.End())
	in := &rewrite.Input{Src: string(src[from:to]), Decls: true, Info: info, Offset: CodeOffset(tok, from, to-from), Pkg: pkg, Names: names,
		File: ref.file, LoadedFile: ref.pkg != nil, Change: ci}
	if fd, ok := d.(*ast.FuncDecl); ok {
		in.Stmts, in.Decl = []ast.Stmt{fd.Body}, fd
	} else {
		in.Stmts = []ast.Stmt{&ast.DeclStmt{Decl: d}}
	}
	return in
}
