package change

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/rewrite"
)

// savedChange is the saved files of one package on their way to a Change:
// the files, their check with the rest of their package, and the change
// built from them.
type savedChange struct {
	prog     *Program
	pkg      *packages.Package // the package as built
	compiled *types.Package
	files    []*savedFile    // in path order
	want     map[string]bool // keys of the functions asked for
	isHelper map[string]bool // keys of the functions asked for as helpers
	methods  methodSets
	nat      NativeMode      // what the native tier can take (unlinked.go)
	unlinked map[string]bool // packages not linked, loaded from source (unlinked.go)
	refused  string          // the first interpreter refusal the native tier takes instead (unlinked.go)

	fresh   *types.Package // the package checked with the saved files
	info    *types.Info
	checked []*ast.File // the saved files as checked: the bodies the change rewrites

	ci *rewrite.Change
	ch *Change
}

// savedFile is one file of a saved change.
type savedFile struct {
	base  string      // the file's base name, for diagnostics
	src   []byte      // its new text
	built *ast.File   // the file as built; nil for a file new since the build
	f     *ast.File   // the new text, parsed
	tok   *token.File // its token file
	// stripped are the names the bodies left out of the check select
	// from (strippedNames).
	stripped map[string]bool
}

// ref returns the file's new text as a file of its package.
func (sf *savedFile) ref(s *savedChange) fileRef { return fileRef{pkg: s.pkg, file: sf.f, tok: sf.tok} }

// rewriteFiles is rewriteChange for the new texts of files of one package
// (srcs, by path), checked together: files of the build, and files new
// since the build in the directory of one of its packages. vars names
// the new package variables to make live with the change; nat says what
// the native tier can take of it (Change.NativeOnly).
func (prog *Program) rewriteFiles(srcs map[string][]byte, apply, helpers, vars []string, nat NativeMode) (*Change, error) {
	s := &savedChange{prog: prog, want: set(apply), isHelper: set(helpers), methods: methodSets{}, nat: nat, unlinked: map[string]bool{}}
	if err := s.parse(srcs); err != nil {
		return nil, err
	}
	if err := s.typeCheck(); err != nil {
		return nil, err
	}
	s.ci = &rewrite.Change{Pkg: s.fresh, Compiled: s.compiled, NewMethods: map[*types.Func]bool{}, Inline: map[*types.Const]bool{}}
	s.ch = &Change{Funcs: map[string]*Replacement{}, fresh: s.fresh, info: s.info, checked: s.checked, pkgPath: s.compiled.Path(), side: addedFields(s.fresh, s.compiled)}
	s.changedConsts()
	helperDecls, err := s.classify()
	if err != nil {
		return nil, err
	}
	imports, err := s.rewriteDecls(helperDecls)
	if err != nil {
		return nil, err
	}
	if err := s.rewriteVars(set(vars), imports); err != nil { // planvars.go
		return nil, err
	}
	ch := s.ch
	if err := prog.genericHelpers(ch, s, imports); err != nil { // generic.go
		return nil, err
	}
	for spec := range imports {
		ch.Imports = append(ch.Imports, spec)
	}
	sort.Strings(ch.Imports)
	if nat.On {
		ch.NativeOnly = prog.nativeOnly(ch, s.unlinked) // unlinked.go
		if s.refused != "" {
			ch.NativeOnly = "the interpreter cannot take it (" + s.refused + ")"
		}
	}
	for _, k := range apply {
		if ch.Funcs[k] == nil {
			return nil, fmt.Errorf("rewrite: %s is not declared in %s", k, s.bases())
		}
	}
	return ch, nil
}

// bases names the saved files for a message.
func (s *savedChange) bases() string {
	names := make([]string, len(s.files))
	for i, sf := range s.files {
		names[i] = sf.base
	}
	return strings.Join(names, ", ")
}

// parse finds the package of the saved files and parses them; a syntax
// error is a Diagnostics of at most 10 errors.
func (s *savedChange) parse(srcs map[string][]byte) error {
	paths := make([]string, 0, len(srcs))
	for p := range srcs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	names := make([]string, len(paths))
	for i, path := range paths {
		pkg, name, built := s.prog.packageOfFile(path)
		if pkg == nil {
			return fmt.Errorf("rewrite: %s is not in the packages of this build", path)
		}
		if s.pkg != nil && s.pkg != pkg {
			return fmt.Errorf("rewrite: %s is not in the package of %s", path, names[0])
		}
		s.pkg, names[i] = pkg, name
		s.files = append(s.files, &savedFile{base: filepath.Base(path), src: srcs[path], built: built})
	}
	s.compiled = s.pkg.Types
	var ds diag.Diagnostics
	for i, sf := range s.files {
		f, err := parser.ParseFile(s.prog.fset, names[i], sf.src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			if sd, ok := syntaxDiagnostics(err).(diag.Diagnostics); ok {
				ds = append(ds, sd...)
				continue
			}
			return err
		}
		sf.f, sf.tok = f, s.prog.fset.File(f.Pos())
	}
	if len(ds) > 0 {
		return ds[:min(len(ds), 10)]
	}
	return nil
}

// packageOfFile returns the package of a file of the build, with the name
// the build gave the file and its syntax; or, for a file new since the
// build, the package built from the file's directory, the file's absolute
// path and no syntax. The package is nil when neither is.
func (p *Program) packageOfFile(path string) (*packages.Package, string, *ast.File) {
	if r, ok := p.file(path); ok {
		return r.pkg, r.tok.Name(), r.file
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", nil
	}
	dir := filepath.Dir(abs)
	for name, r := range p.files {
		if filepath.Dir(name) == dir {
			return r.pkg, abs, nil
		}
	}
	return nil, "", nil
}

// fileOf returns the saved file whose token file holds pos, or nil.
func (s *savedChange) fileOf(pos token.Pos) *savedFile {
	for _, sf := range s.files {
		if sf.tok.Base() <= int(pos) && int(pos) <= sf.tok.Base()+sf.tok.Size() {
			return sf
		}
	}
	return nil
}

// checkedBodies returns a saved file with only the bodies the change
// rewrites: those of the functions asked for and of what the file declares
// anew. The others, here and in the other files of the package as built,
// are compiled already; leaving them out is most of the cost of the check
// (classification refuses what a change could break in them).
func (s *savedChange) checkedBodies(sf *savedFile) *ast.File {
	keep := func(fd *ast.FuncDecl) bool {
		key, recv := syntaxKey(s.compiled.Path(), fd)
		if s.want[key] || s.isHelper[key] || fd.Type.TypeParams != nil || recv == "" && fd.Name.Name == "init" {
			return true // the checker wants the bodies of generic and init functions
		}
		if recv == "" {
			return s.compiled.Scope().Lookup(fd.Name.Name) == nil // a new function
		}
		tn, isType := s.compiled.Scope().Lookup(recv).(*types.TypeName)
		return !isType || !s.methods.has(tn, fd.Name.Name) // of a new type, or a new method
	}
	sf.stripped = strippedNames(sf.f, keep)
	return withBodies(sf.f, keep)
}

// typeCheck type-checks the saved files with the declarations of the other
// files of their package into a fresh package. A type error in a saved
// file is a Diagnostics of at most 10 errors.
func (s *savedChange) typeCheck() error {
	prog := s.prog
	var files []*ast.File
	saved := map[*ast.File]bool{}
	for _, sf := range s.files {
		files = append(files, s.checkedBodies(sf))
		saved[sf.built] = true
	}
	s.checked = slices.Clone(files)
	for _, other := range s.pkg.Syntax {
		if !saved[other] {
			files = append(files, prog.declarations(other))
		}
	}
	s.fresh = types.NewPackage(s.compiled.Path(), s.compiled.Name())
	s.info = NewInfo()
	var ds diag.Diagnostics
	refusedImports := map[string]string{} // path: why patched code cannot import it (pkgnames.go)
	conf := types.Config{
		Importer:    prog.importer(s.compiled.Path(), filepath.Dir(s.files[0].tok.Name()), s.nat, s.unlinked, func(path, why string) { refusedImports[path] = why }),
		FakeImportC: true,
		Error: func(err error) {
			te, ok := err.(types.Error)
			if !ok || len(ds) >= 10 {
				return
			}
			sf := s.fileOf(te.Pos)
			if sf == nil || s.strippedUse(sf, te.Msg) {
				return
			}
			pos := prog.fset.Position(te.Pos)
			d := diag.TypeDiagnostic(te, token.Position{Filename: sf.base, Line: pos.Line, Column: pos.Column})
			if m := couldNotImport.FindStringSubmatch(te.Msg); m != nil && refusedImports[m[1]] != "" {
				d.Kind, d.Msg = diag.RefusedRestart, refusedImports[m[1]] // no save of another file mends it
			}
			d.Func = funcAt(sf.f, s.compiled.Path(), te.Pos)
			ds = append(ds, d)
		},
	}
	conf.GoVersion = goVersion(s.pkg) // goversion.go: a go line a save raised counts
	_ = types.NewChecker(&conf, prog.fset, s.fresh, s.info).Files(files)
	if len(ds) > 0 {
		return ds
	}
	return nil
}

// strippedUse reports whether msg says that an import of sf is unused
// which a body left out of the check (checkedBodies) may use: an import
// of the file as built, or one that such a body selects from (the import
// is used by compiled code or by a live patch that this change leaves
// alone).
func (s *savedChange) strippedUse(sf *savedFile, msg string) bool {
	m := unusedImport.FindStringSubmatch(msg)
	if m == nil {
		return false
	}
	if sf.built != nil {
		for _, is := range sf.built.Imports {
			if is.Path.Value == m[1] {
				return true
			}
		}
	}
	for _, is := range sf.f.Imports {
		if is.Path.Value != m[1] {
			continue
		}
		path, _ := strconv.Unquote(is.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if ip := s.prog.pkgs[path]; ip != nil {
			name = ip.Name()
		}
		if is.Name != nil {
			name = is.Name.Name
		}
		return sf.stripped[name]
	}
	return false
}

// strippedNames returns the names that the bodies of f left out of the
// check (those keep does not keep) select from: `x` of each `x.y`.
func strippedNames(f *ast.File, keep func(*ast.FuncDecl) bool) map[string]bool {
	names := map[string]bool{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || keep(fd) {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok {
					names[id.Name] = true
				}
			}
			return true
		})
	}
	return names
}

// changedConsts records the constants whose value the change sets.
func (s *savedChange) changedConsts() {
	for _, name := range s.fresh.Scope().Names() {
		k, ok := s.fresh.Scope().Lookup(name).(*types.Const)
		if !ok || s.fileOf(k.Pos()) == nil {
			continue
		}
		old, had := s.compiled.Scope().Lookup(name).(*types.Const)
		if had && identicalAcross(old.Type(), k.Type()) && constant.Compare(old.Val(), token.EQL, k.Val()) {
			continue
		}
		s.ci.Inline[k] = true
		s.ch.Consts = append(s.ch.Consts, name)
	}
}

// savedDecl is a declaration of a saved file.
type savedDecl struct {
	sf   *savedFile
	decl ast.Decl
}

// classify sorts the declarations of the files by what they are and
// returns those to rewrite: new types, methods of new types, new methods
// of compiled types and the functions asked for. A new method that makes a
// compiled type satisfy an interface is refused, as a Diagnostics.
func (s *savedChange) classify() ([]savedDecl, error) {
	ci, ch := s.ci, s.ch
	var helperDecls []savedDecl
	var refusals diag.Diagnostics
	for _, sf := range s.files {
		refuse := func(pos token.Pos, key, msg string) {
			p := s.prog.fset.Position(pos)
			refusals = append(refusals, diag.Diagnostic{Pos: token.Position{Filename: sf.base, Line: p.Line, Column: p.Column}, Func: key, Kind: diag.RefusedRestart, Msg: msg})
		}
		for _, d := range sf.f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				if d.Tok != token.TYPE {
					continue
				}
				for _, sp := range d.Specs {
					if ts := sp.(*ast.TypeSpec); !ci.CompiledType(ts.Name.Name) {
						helperDecls = append(helperDecls, savedDecl{sf, &ast.GenDecl{Tok: token.TYPE, TokPos: ts.Pos(), Specs: []ast.Spec{ts}}})
					}
				}
			case *ast.FuncDecl:
				fn, _ := s.info.Defs[d.Name].(*types.Func)
				if fn == nil || d.Body == nil {
					continue
				}
				named := rewrite.RecvNamed(fn)
				switch {
				case named != nil && !ci.CompiledType(named.Obj().Name()):
					helperDecls = append(helperDecls, savedDecl{sf, d}) // a method of a new type
				case named != nil && !s.methods.has(s.compiled.Scope().Lookup(named.Obj().Name()), fn.Name()):
					ci.NewMethods[fn] = true
					ch.NewMethods = append(ch.NewMethods, methodName(fn))
					if iface := newlySatisfied(s.prog, s.compiled, named, fn); iface != "" {
						refuse(d.Pos(), funcKey(fn), fmt.Sprintf("new method %s makes %s satisfy %s, which compiled code may use through that interface", fn.Name(), named.Obj().Name(), iface))
					}
					helperDecls = append(helperDecls, savedDecl{sf, d})
				case named != nil && s.isHelper[funcKey(fn)] && s.resignedMethod(named, fn): // resignedmethods.go
					ci.NewMethods[fn] = true
					ch.NewMethods = append(ch.NewMethods, methodName(fn))
					if iface := reachingInterface(s.prog, s.compiled, named, fn.Name()); iface != "" {
						refuse(d.Pos(), funcKey(fn), fmt.Sprintf("signature of method %s changed and compiled %s implements %s, through which compiled code may call the compiled method", fn.Name(), named.Obj().Name(), iface))
					}
					helperDecls = append(helperDecls, savedDecl{sf, d})
				case s.want[funcKey(fn)] || s.isHelper[funcKey(fn)]:
					helperDecls = append(helperDecls, savedDecl{sf, d})
				}
			}
		}
	}
	if len(refusals) > 0 {
		return nil, refusals
	}
	return helperDecls, nil
}

// rewriteDecls rewrites the declarations classify returned into the
// change: a function asked for into its replacement, the others into
// helpers, a new method of a compiled type into its maker. It
// returns the import specs the rewritten declarations need, as a set.
func (s *savedChange) rewriteDecls(decls []savedDecl) (map[string]bool, error) {
	prog, info, ci, ch := s.prog, s.info, s.ci, s.ch
	names := map[*savedFile]map[string]string{}
	imports := map[string]bool{}
	for _, sd := range decls {
		sf, d := sd.sf, sd.decl
		if names[sf] == nil {
			names[sf] = prog.importNames(sf.f)
		}
		in := declInput(sf.ref(s), info, sf.src, d, s.fresh, names[sf], ci)
		fd, isFunc := d.(*ast.FuncDecl)
		var fn *types.Func
		key := ""
		if isFunc {
			fn = info.Defs[fd.Name].(*types.Func)
			key = funcKey(fn)
		}
		generic := isFunc && s.want[key] && patcher.IsGeneric(fd)
		var rw *rewrite.Output
		var err error
		if generic && !s.isHelper[key] {
			rw, err = s.rewriteGenericPatch(in, key, fd)
		} else {
			rw, err = prog.Rewrite(in, false)
		}
		if err != nil {
			err = inFunc(positioned(err, sf.base, prog.fset.Position(d.Pos()).Line-1), key)
			if s.nativeInstead(err, sf, d, key) { // unlinked.go
				continue
			}
			return nil, err
		}
		if isFunc {
			rw.Imports = append(rw.Imports, signatureImports(prog, info, fd)...)
		} else {
			rw.Src = "type " + rw.Src // the text of one spec of its declaration
		}
		switch {
		case isFunc && ci.NewMethods[fn]:
			ch.Helpers = append(ch.Helpers, methodMaker(fd, rewrite.RecvNamed(fn).Obj().Name(), rw.Src, sf.tok.Offset(d.Pos()), sf.tok))
		case generic && s.isHelper[key]:
			// Its patch, besides the interpreted copy below.
			in := declInput(sf.ref(s), info, sf.src, d, s.fresh, names[sf], ci)
			gw, err := s.rewriteGenericPatch(in, key, fd)
			if err != nil {
				return nil, inFunc(positioned(err, sf.base, prog.fset.Position(d.Pos()).Line-1), key)
			}
			ch.Funcs[key] = &Replacement{Source: gw.Src, Imports: append(gw.Imports, signatureImports(prog, info, fd)...), TypeParams: rewrite.TypeParamNames(fd)}
			ch.Helpers = append(ch.Helpers, rw.Src)
		case generic:
			// No native tier for generic code: its plugin function
			// would need one instantiation per caller.
			ch.Funcs[key] = &Replacement{Source: rw.Src, Imports: rw.Imports, TypeParams: rewrite.TypeParamNames(fd)}
			continue
		case s.want[key]:
			ch.Funcs[key] = &Replacement{Source: rw.Src, Imports: rw.Imports, Checked: s.checkedFunc(sf, fd)}
			if !s.isHelper[key] {
				continue
			}
			ch.Helpers = append(ch.Helpers, rw.Src)
		default:
			ch.Helpers = append(ch.Helpers, rw.Src)
		}
		for _, spec := range rw.Imports {
			imports[spec] = true
		}
	}
	return imports, nil
}
