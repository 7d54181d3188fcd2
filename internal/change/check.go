package change

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"

	"github.com/livepatch/livepatch/internal/rewrite"
)

// checked is an input type-checked in a frame's scope.
type checked struct {
	in     *input
	sc     *Scope
	info   *types.Info
	tok    *token.File   // the synthetic file
	start  int           // offset of the input in the synthetic file
	stmts  []ast.Stmt    // the input's statements
	decl   *ast.FuncDecl // the function declaration whose body stmts is, if any
	locals map[types.Object]bool
	pkg    *types.Package    // the frame's package
	names  map[string]string // import path -> name usable in the input's scope
	prog   *Program
	user   map[string]bool
	change *rewrite.Change // for a saved file checked with its package; nil for prompt inputs
}

// inputOffset returns the offset in the input of a position of the
// synthetic file, or -1 when the position is not in the input.
func (c *checked) inputOffset(p token.Pos) int {
	if !p.IsValid() || int(p) < c.tok.Base() || int(p) > c.tok.Base()+c.tok.Size() {
		return -1
	}
	off := c.tok.Offset(p) - c.start
	if off < 0 || off > len(c.in.host) {
		return -1
	}
	return off
}

// ignoredError reports whether a type error is one the prompt does not
// report: a REPL input may leave names and values unused.
func ignoredError(msg string) bool {
	return strings.Contains(msg, "declared and not used") || strings.HasSuffix(msg, "is not used") ||
		strings.Contains(msg, "imported and not used")
}

// check type-checks in in the scope sc, after the declaring inputs of
// history. A type error of the input is a Diagnostics. A package the
// program links that the input names without importing it is imported
// for it when its name is unique among the linked packages.
func (p *Program) check(sc *Scope, history []*input, in *input) (*checked, error) {
	c, err := p.checkOnce(sc, history, in)
	var ds Diagnostics
	if !errors.As(err, &ds) {
		return c, err
	}
	added := false
	for _, path := range p.missingImports(ds) {
		dup := false
		for _, s := range in.imports {
			dup = dup || s.path == path
		}
		if !dup {
			in.imports = append(in.imports, importSpec{path: path})
			added = true
		}
	}
	if !added {
		return c, err
	}
	return p.checkOnce(sc, history, in)
}

// missingImports returns, once each, the import paths of the linked
// packages that the undefined names of type errors may mean: those whose
// name is unique among the linked packages.
func (p *Program) missingImports(ds Diagnostics) []string {
	var paths []string
	for _, d := range ds {
		if d.undefined == "" {
			continue
		}
		if path := p.uniquePackage(d.undefined); path != "" && !slices.Contains(paths, path) {
			paths = append(paths, path)
		}
	}
	return paths
}

// spec returns the import spec binding name to path, without the name
// when it is the package's own.
func (p *Program) spec(path, name string) string {
	if ip := p.pkgs[path]; ip != nil && ip.Name() == name {
		return importSpec{path: path}.String()
	}
	return importSpec{name: name, path: path}.String()
}

// uniquePackage returns the import path of the one linked package called
// name, or "".
func (p *Program) uniquePackage(name string) string {
	found := ""
	for path, pkg := range p.pkgs {
		if pkg.Name() != name || strings.Contains(path, "internal") || strings.Contains(path, "vendor/") {
			continue
		}
		if found != "" {
			return ""
		}
		found = path
	}
	return found
}

// checkOnce type-checks in in the scope sc, after the declaring inputs of
// history, as the body of a function of a synthetic file of the frame's
// package. A type error of the input is a Diagnostics.
func (p *Program) checkOnce(sc *Scope, history []*input, in *input) (*checked, error) {
	framePkg := sc.ref.pkg.Types
	fake, locals := frameScope(sc)
	names, specs := p.inputImports(sc, history, in)
	text, start := syntheticFile(framePkg.Name(), specs, history, in)
	f, err := parser.ParseFile(p.fset, "<input>", text, parser.SkipObjectResolution)
	if err != nil {
		// Earlier inputs parsed alone; together they must too.
		return nil, fmt.Errorf("prompt: synthetic file: %w", err)
	}
	c := &checked{prog: p, user: p.user, in: in, sc: sc, tok: p.fset.File(f.Pos()), start: start, locals: locals, pkg: framePkg, names: names, info: newInfo()}
	errs := p.typeCheckInput(c, f, fake, history)
	c.stmts = inputStmts(c, f, len(history))
	if len(errs) > 0 {
		return nil, inputDiagnostics(in, errs)
	}
	return c, nil
}

// frameScope returns a package of the frame's path whose scope holds the
// frame's variables, which it returns as the locals, and the package's
// declarations.
func frameScope(sc *Scope) (*types.Package, map[types.Object]bool) {
	framePkg := sc.ref.pkg.Types
	fake := types.NewPackage(framePkg.Path(), framePkg.Name())
	locals := map[types.Object]bool{}
	for _, v := range sc.vars {
		fake.Scope().Insert(v)
		locals[v] = true
	}
	for _, name := range framePkg.Scope().Names() {
		fake.Scope().Insert(framePkg.Scope().Lookup(name))
	}
	return fake, locals
}

// inputImports returns the imports of the input's synthetic file, with the
// name each path is usable by: the file's, then those of earlier inputs
// and of this one; the first binding of a name wins, and a local hides an
// import.
func (p *Program) inputImports(sc *Scope, history []*input, in *input) (map[string]string, []importSpec) {
	names := map[string]string{}
	taken := map[string]bool{}
	var specs []importSpec
	addSpec := func(s importSpec) {
		name := s.name
		if name == "" {
			if ip := p.pkgs[s.path]; ip != nil {
				name = ip.Name()
			} else {
				name = s.path[strings.LastIndex(s.path, "/")+1:]
			}
		}
		if taken[name] || sc.local(name) != nil {
			return
		}
		taken[name] = true
		if _, ok := names[s.path]; !ok {
			names[s.path] = name
		}
		specs = append(specs, s)
	}
	for _, s := range sc.fileImports() {
		addSpec(s)
	}
	for _, h := range history {
		for _, s := range h.imports {
			addSpec(s)
		}
	}
	for _, s := range in.imports {
		addSpec(s)
	}
	return names, specs
}

// syntheticFile returns the text of the file that holds the input, and
// the input's offset in it: the imports, then a function whose body holds
// one block per earlier input, the input innermost.
func syntheticFile(pkgName string, specs []importSpec, history []*input, in *input) (string, int) {
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n", pkgName)
	for _, s := range specs {
		fmt.Fprintf(&b, "import %s\n", s)
	}
	b.WriteString("func _() {\n")
	for _, h := range history {
		fmt.Fprintf(&b, "{\n%s\n%s\n", h.forward, h.host)
	}
	b.WriteString(in.forward + "\n")
	start := b.Len()
	b.WriteString(in.host)
	fmt.Fprintf(&b, "\n%s\n}\n", strings.Repeat("}", len(history)))
	return b.String(), start
}

// inputError is a type error in the input, at offset off of it.
type inputError struct {
	off int
	te  types.Error
}

// typeCheckInput type-checks the synthetic file f into fake, filling
// c.info, and returns the type errors in the input that the prompt
// reports.
func (p *Program) typeCheckInput(c *checked, f *ast.File, fake *types.Package, history []*input) []inputError {
	var errs []inputError
	// Methods of earlier inputs are not declared on the host: a selector
	// that may name one is left to the interpreter.
	lenient := c.in.lenient
	for _, h := range history {
		lenient = lenient || h.lenient
	}
	conf := types.Config{
		Importer: p.linkedImporter(),
		Error: func(err error) {
			te, ok := err.(types.Error)
			if !ok || ignoredError(te.Msg) || lenient && strings.Contains(te.Msg, "has no field or method") || p.SideFieldNamed(te.Msg) {
				return
			}
			if off := c.inputOffset(te.Pos); off >= 0 {
				errs = append(errs, inputError{off, te})
			}
		},
	}
	_ = types.NewChecker(&conf, p.fset, fake, c.info).Files([]*ast.File{f})
	return errs
}

// inputStmts returns the input's statements in the synthetic file f:
// inside one block per earlier input, depth of them.
func inputStmts(c *checked, f *ast.File, depth int) []ast.Stmt {
	var list []ast.Stmt
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "_" {
			list = fd.Body.List
		}
	}
	for range depth {
		if len(list) == 0 {
			break
		}
		blk, ok := list[len(list)-1].(*ast.BlockStmt)
		if !ok {
			break
		}
		list = blk.List
	}
	var stmts []ast.Stmt
	for _, s := range list {
		if c.inputOffset(s.Pos()) >= 0 {
			stmts = append(stmts, s)
		}
	}
	return stmts
}

// inputDiagnostics returns the type errors of the input in the order of
// the input, each once, at most 10, at their line and column in it.
func inputDiagnostics(in *input, errs []inputError) Diagnostics {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].off < errs[j].off })
	var ds Diagnostics
	seen := map[Diagnostic]bool{}
	for _, e := range errs {
		l, col := rewrite.LineCol(in.src, e.off)
		d := typeDiagnostic(e.te, token.Position{Line: l, Column: col})
		if !seen[d] && len(ds) < 10 {
			seen[d] = true
			ds = append(ds, d)
		}
	}
	return ds
}

// newInfo returns a types.Info with the maps the rewriter reads.
func newInfo() *types.Info {
	return &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
		Instances:  map[*ast.Ident]types.Instance{}, // generic.go
	}
}

// linkedImporter returns an importer of the packages linked into the
// program.
func (p *Program) linkedImporter() types.Importer {
	return importerFunc(func(path string) (*types.Package, error) {
		if ip := p.pkgs[path]; ip != nil {
			return ip, nil
		}
		return nil, fmt.Errorf("package %s is not linked into this program", path)
	})
}

// importerFunc is a types.Importer.
type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// results returns the number of values of the input's last statement when
// it is an expression: 0 when it has none or is not an expression.
func (c *checked) results() int {
	if len(c.stmts) == 0 {
		return 0
	}
	es, ok := c.stmts[len(c.stmts)-1].(*ast.ExprStmt)
	if !ok {
		return 0
	}
	tv, ok := c.info.Types[es.X]
	if !ok || tv.Type == nil {
		return 0
	}
	if t, ok := tv.Type.(*types.Tuple); ok {
		return t.Len()
	}
	return 1
}
