package frame

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/rewrite"
)

// checked is an input type-checked in a frame's scope.
type checked struct {
	in   *input
	sc   *Scope
	info *types.Info
	// inputOffset returns the offset in the input of a position of the
	// synthetic file, or -1 when the position is not in the input.
	inputOffset func(token.Pos) int
	stmts       []ast.Stmt // the input's statements
	locals      map[types.Object]bool
	names       map[string]string // import path -> name usable in the input's scope
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
func (sc *Scope) check(history []*input, in *input) (c *checked, err error) {
	if err := sc.unavailableImports(in); err != nil {
		return nil, err
	}
	c, err = sc.checkOnce(history, in)
	var ds diag.Diagnostics
	if !errors.As(err, &ds) {
		return c, err
	}
	defer func() {
		// A name of a package the interpreter cannot import says why.
		if errors.As(err, &ds) {
			err = sc.prog.UnavailablePackages(ds)
		}
	}()
	added := false
	for _, path := range sc.prog.MissingImports(ds) {
		dup := false
		for _, s := range in.imports {
			dup = dup || s.Path == path
		}
		if !dup {
			in.imports = append(in.imports, change.ImportSpec{Path: path})
			added = true
		}
	}
	if !added {
		return c, err
	}
	return sc.checkOnce(history, in)
}

// unavailableImports refuses the imports of in that the interpreter cannot
// import, each at its place in the input, saying why.
func (sc *Scope) unavailableImports(in *input) error {
	var ds diag.Diagnostics
	for i, s := range in.imports {
		why := sc.prog.Unavailable(s.Path)
		if why == "" {
			continue
		}
		line, col := 1, 1
		if i < len(in.importAt) {
			line, col = rewrite.LineCol(in.src, in.importAt[i])
		}
		ds = append(ds, diag.Diagnostic{Pos: token.Position{Line: line, Column: col}, Kind: diag.Type, Msg: why})
	}
	if len(ds) > 0 {
		return ds
	}
	return nil
}

// checkOnce type-checks in in the scope sc, after the declaring inputs of
// history, as the body of a function of a synthetic file of the frame's
// package. A type error of the input is a Diagnostics.
func (sc *Scope) checkOnce(history []*input, in *input) (*checked, error) {
	fset := sc.prog.Fset()
	fake, locals := frameScope(sc)
	sc.prog.AddLiveVars(fake) // change/planvars.go
	names, specs := sc.inputImports(history, in)
	text, start := syntheticFile(sc.pkg.Types.Name(), specs, history, in)
	f, err := parser.ParseFile(fset, "<input>", text, parser.SkipObjectResolution)
	if err != nil {
		// Earlier inputs parsed alone; together they must too.
		return nil, fmt.Errorf("prompt: synthetic file: %w", err)
	}
	c := &checked{in: in, sc: sc, inputOffset: change.CodeOffset(fset.File(f.Pos()), start, len(in.host)), locals: locals, names: names, info: change.NewInfo()}
	errs := sc.typeCheckInput(c, f, fake, history)
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
	framePkg := sc.pkg.Types
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
func (sc *Scope) inputImports(history []*input, in *input) (map[string]string, []change.ImportSpec) {
	names := map[string]string{}
	taken := map[string]bool{}
	var specs []change.ImportSpec
	addSpec := func(s change.ImportSpec) {
		name := s.Name
		if name == "" {
			if ip := sc.prog.Package(s.Path); ip != nil {
				name = ip.Name()
			} else {
				name = s.Path[strings.LastIndex(s.Path, "/")+1:]
			}
		}
		if taken[name] || sc.local(name) != nil {
			return
		}
		taken[name] = true
		if _, ok := names[s.Path]; !ok {
			names[s.Path] = name
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
func syntheticFile(pkgName string, specs []change.ImportSpec, history []*input, in *input) (string, int) {
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
func (sc *Scope) typeCheckInput(c *checked, f *ast.File, fake *types.Package, history []*input) []inputError {
	var errs []inputError
	// Methods of earlier inputs are not declared on the host: a selector
	// that may name one is left to the interpreter.
	lenient := c.in.lenient
	for _, h := range history {
		lenient = lenient || h.lenient
	}
	conf := types.Config{
		Importer: sc.prog.Importer(),
		Error: func(err error) {
			te, ok := err.(types.Error)
			if !ok || ignoredError(te.Msg) || lenient && strings.Contains(te.Msg, "has no field or method") || sc.prog.SideFieldNamed(te.Msg) {
				return
			}
			if off := c.inputOffset(te.Pos); off >= 0 {
				errs = append(errs, inputError{off, te})
			}
		},
	}
	_ = types.NewChecker(&conf, sc.prog.Fset(), fake, c.info).Files([]*ast.File{f})
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
func inputDiagnostics(in *input, errs []inputError) diag.Diagnostics {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].off < errs[j].off })
	var ds diag.Diagnostics
	seen := map[diag.Diagnostic]bool{}
	for _, e := range errs {
		l, col := rewrite.LineCol(in.src, e.off)
		d := diag.TypeDiagnostic(e.te, token.Position{Line: l, Column: col})
		if !seen[d] && len(ds) < 10 {
			seen[d] = true
			ds = append(ds, d)
		}
	}
	return ds
}

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

// rewriteInput is the rewriter's input for c: what the check knows of the
// input (Program.Rewrite adds the build's side).
func (c *checked) rewriteInput() *rewrite.Input {
	imports := make([]string, len(c.in.imports))
	for i, s := range c.in.imports {
		imports[i] = s.String()
	}
	return &rewrite.Input{
		Src: c.in.src, Decls: c.in.decls, ImportRanges: c.in.importRanges, Imports: imports,
		Info: c.info, Stmts: c.stmts, Offset: c.inputOffset, Results: c.results(),
		Locals: c.locals, Pkg: c.sc.pkg.Types, Names: c.names,
		File: c.sc.file, LoadedFile: c.sc.pkg != nil,
	}
}
