package patcher

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/printer"
	"go/token"
	"go/types"
	goversion "go/version"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/target"
)

// generatedPrefix starts the synthetic file name that the //line directive
// in front of the declarations appended to an instrumented file gives:
// livepatch_generated_<base name of the file>. The name tells compiler
// messages about generated declarations apart by file.
const generatedPrefix = "livepatch_generated_"

// generatedName returns the synthetic file name for the generated part of
// the instrumented copy of filename.
func generatedName(filename string) string {
	return generatedPrefix + filepath.Base(filename)
}

// importLine is inserted after the package name of every instrumented file,
// on the package clause's line, so that no line moves.
const importLine = `; import (lp_agent "` + target.AgentImportPath + `"; lp_atomic "sync/atomic"; lp_reflect "reflect")`

// skipDirectives are compiler directives whose functions cannot carry a
// prologue. A directive ending in "*" matches by prefix.
var skipDirectives = []string{
	"//go:nosplit", "//go:linkname", "//go:systemstack", "//go:nowritebarrier*",
	"//go:uintptr*", "//go:norace", "//go:cgo_unsafe_args", "//export",
}

// edit is one change to a source file: replace src[off:end] with text.
type edit struct {
	off, end int
	text     string
}

// fileInstrumenter instruments one file of a user package.
type fileInstrumenter struct {
	fset     *token.FileSet
	pkg      *types.Package
	info     *types.Info
	file     *ast.File
	src      []byte
	filename string
	next     *int // next free dispatch index, shared by the whole build
	ranBase  int  // the file's first dispatch index, which names its ran array; -1 before one

	edits    []edit
	tail     bytes.Buffer // declarations after the file's last line
	register bytes.Buffer // body of the generated init
	funcs    []Function
}

// instrumentFile adds a dispatch prologue to every patchable function of
// file and returns the instrumented source, or nil when no function of the
// file is patchable, together with a manifest entry for every function.
// Dispatch indexes are taken from *next in declaration order.
func instrumentFile(fset *token.FileSet, pkg *types.Package, info *types.Info, file *ast.File, src []byte, filename string, next *int) ([]byte, []Function) {
	fi := &fileInstrumenter{fset: fset, pkg: pkg, info: info, file: file, src: src, filename: filename, next: next, ranBase: -1}
	linknamed := linknamedFuncs(file)
	cgo := importsC(file)
	clash := packageClash(pkg)
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		reason := ""
		switch {
		case cgo:
			reason = "cgo file"
		case clash != "":
			reason = clash
		default:
			reason = unpatchable(fd, linknamed)
		}
		fi.function(fd, reason)
	}
	if fi.register.Len() == 0 {
		return nil, fi.funcs
	}
	fi.edits = append(fi.edits, edit{off: fi.offset(file.Name.End()), end: fi.offset(file.Name.End()), text: importLine})
	var out bytes.Buffer
	out.Grow(len(src) + fi.tail.Len() + fi.register.Len() + 256)
	sort.SliceStable(fi.edits, func(i, j int) bool { return fi.edits[i].off < fi.edits[j].off })
	last := 0
	for _, e := range fi.edits {
		out.Write(src[last:e.off])
		out.WriteString(e.text)
		last = e.end
	}
	out.Write(src[last:])
	if !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
		out.WriteByte('\n')
	}
	fmt.Fprintf(&out, "\n//line %s:1\n", generatedName(filename))
	fi.ranArray()
	out.Write(fi.tail.Bytes())
	out.WriteString("var _ lp_reflect.Type\n") // used by long signatures' wrappers
	out.WriteString("\nfunc init() {\n")
	out.Write(fi.register.Bytes())
	out.WriteString("}\n")
	return out.Bytes(), fi.funcs
}

// offset returns the byte offset of pos in the file.
func (fi *fileInstrumenter) offset(pos token.Pos) int {
	return fi.fset.PositionFor(pos, false).Offset
}

// function instruments fd, or records why it cannot be when reason is not
// empty or turns out not to be.
func (fi *fileInstrumenter) function(fd *ast.FuncDecl, reason string) {
	key := funcKey(fi.pkg.Path(), fd)
	line := fi.fset.PositionFor(fd.Pos(), false).Line
	if fd.Body != nil {
		line = fi.fset.PositionFor(fd.Body.Lbrace, false).Line
	}
	fn := Function{Index: -1, Key: key, Package: fi.pkg.Path(), File: fi.filename, Line: line}
	if reason == "" {
		reason = fi.checkNames(fd)
	}
	var shape GenericShape
	if reason == "" && IsGeneric(fd) {
		shape, reason = ShapeOf(fi.pkg, fd, fi.info, fi.importName)
	}
	if reason != "" {
		fn.Reason = reason
		fi.funcs = append(fi.funcs, fn)
		return
	}
	n := *fi.next
	*fi.next++
	if fi.ranBase < 0 {
		fi.ranBase = n
	}
	fn.Index, fn.Patchable = n, true
	fi.funcs = append(fi.funcs, fn)

	sig := fi.signature(fd)
	if IsGeneric(fd) {
		fi.genericPrologue(fd, n, sig, shape)
		fmt.Fprintf(&fi.register, "\tlp_agent.RegisterGeneric(%d, %s)\n", n, strconv.Quote(key))
		return
	}
	fi.prologue(fd, n, sig)
	fi.alias(n, sig)
	fi.registration(n, key, sig)
}

// signature is a patchable function's signature as the generated code
// writes it.
type signature struct {
	args     []string // the receiver's and parameters' names, the last with "..." when variadic
	params   []string // their types, as in the source
	results  []string // the result types, one per result
	variadic bool
}

// signature returns fd's signature, naming unnamed and blank receivers and
// parameters.
func (fi *fileInstrumenter) signature(fd *ast.FuncDecl) signature {
	var sig signature
	if fd.Recv != nil && len(fd.Recv.List) == 1 {
		f := fd.Recv.List[0]
		name := fi.nameField(f, 0, "lpR")[0]
		sig.args = append(sig.args, name)
		sig.params = append(sig.params, fi.exprString(f.Type))
	}
	i := 0
	for _, f := range fd.Type.Params.List {
		t := fi.exprString(f.Type)
		if _, ok := f.Type.(*ast.Ellipsis); ok {
			sig.variadic = true
		}
		for _, name := range fi.nameField(f, i, "") {
			sig.args = append(sig.args, name)
			sig.params = append(sig.params, t)
			i++
		}
	}
	if sig.variadic {
		sig.args[len(sig.args)-1] += "..."
	}
	if fd.Type.Results != nil {
		for _, f := range fd.Type.Results.List {
			t := fi.exprString(f.Type)
			k := max(len(f.Names), 1)
			for range k {
				sig.results = append(sig.results, t)
			}
		}
	}
	return sig
}

// prologue inserts the dispatch prologue of function n, on the line of
// fd's opening brace. lpT is declared in the function's scope and cleared
// at the end so that every path out of the prologue joins on this line:
// with the table check in an if statement's init, the compiler attributes
// the join to the next line, and a breakpoint there lands on a jump taken
// only when a table is published without a replacement of n (the
// breakpoint then never hits). The patched path reads n's slot in the
// published block (agent.Current) after one bound check, and calls it.
func (fi *fileInstrumenter) prologue(fd *ast.FuncDecl, n int, sig signature) {
	call := fmt.Sprintf("lpF(%s)", strings.Join(sig.args, ", "))
	body := "return " + call
	if len(sig.results) == 0 {
		body = call + "; return"
	}
	ran := fmt.Sprintf("&%s%d[%d]", ranPrefix, fi.ranBase, n-fi.ranBase)
	prologue := fmt.Sprintf(" if lp_atomic.LoadUint32(%s) == 0 { lp_atomic.StoreUint32(%s, 1) };", ran, ran)
	prologue += fmt.Sprintf(" lpT := lp_atomic.LoadPointer(&lp_agent.Current); if lpT != nil { if *(*uintptr)(lpT) > %d { if lpF := (*[%d]lpFn_%d)(lpT)[%d]; lpF != nil { %s } } }; lpT = nil;", n, n+slotsHeader+1, n, n+slotsHeader, body)
	off := fi.offset(fd.Body.Lbrace) + 1
	fi.edits = append(fi.edits, edit{off: off, end: off, text: prologue})
}

// slotsHeader is the number of words before slot 0 in the block that
// agent.Current points to: the number of slots, then the table. Slot N is
// word N+slotsHeader; the prologue of function N reads it (as its alias
// type, or as a *agent.Generic) when the count is above N.
const slotsHeader = 2

// genericPrologue inserts the dispatch prologue of generic function n,
// which asks the table's agent.Generic for the replacement of the
// instantiation that runs (see GenericShape), on the line of fd's opening
// brace, joining there as prologue's does.
func (fi *fileInstrumenter) genericPrologue(fd *ast.FuncDecl, n int, sig signature, sh GenericShape) {
	call := fmt.Sprintf("lpF(%s)", strings.Join(sig.args, ", "))
	body := "return " + call
	if len(sig.results) == 0 {
		body = call + "; return"
	}
	ft := sig.funcType()
	typs := []string{fmt.Sprintf("lp_reflect.TypeOf((%s)(nil))", ft)}
	for _, tp := range sh.TypeParams {
		typs = append(typs, fmt.Sprintf("lp_reflect.TypeOf((*%s)(nil)).Elem()", tp))
	}
	for _, t := range sh.instText {
		typs = append(typs, fmt.Sprintf("lp_reflect.TypeOf((*%s)(nil)).Elem()", t))
	}
	ran := fmt.Sprintf("&%s%d[%d]", ranPrefix, fi.ranBase, n-fi.ranBase)
	prologue := fmt.Sprintf(" if lp_atomic.LoadUint32(%s) == 0 { lp_atomic.StoreUint32(%s, 1) };", ran, ran)
	prologue += fmt.Sprintf(" lpT := lp_atomic.LoadPointer(&lp_agent.Current); if lpT != nil { if *(*uintptr)(lpT) > %d { if lpG := (*[%d]*lp_agent.Generic)(lpT)[%d]; lpG != nil { if lpF, lpOK := (*lpG).Instance([]lp_reflect.Type{%s}, []any{%s}, []any{%s}).(%s); lpOK { %s } } } }; lpT = nil;",
		n, n+slotsHeader+1, n+slotsHeader, strings.Join(typs, ", "), strings.Join(sh.funcText, ", "), strings.Join(sh.methodText, ", "), ft, body)
	off := fi.offset(fd.Body.Lbrace) + 1
	fi.edits = append(fi.edits, edit{off: off, end: off, text: prologue})
}

// ranPrefix starts the name of a file's ran array, lpRan_<first index>:
// element i is set to 1 by the prologue of function first+i on its first
// call (and read by the agent, which tells the user about a patched
// function that ran at start-up and may never run again).
const ranPrefix = "lpRan_"

// ranArray declares the file's ran array and registers it with the agent.
// The functions of a file have consecutive indexes.
func (fi *fileInstrumenter) ranArray() {
	if fi.ranBase < 0 {
		return
	}
	name := fmt.Sprintf("%s%d", ranPrefix, fi.ranBase)
	fmt.Fprintf(&fi.tail, "var %s [%d]uint32\n", name, *fi.next-fi.ranBase)
	fmt.Fprintf(&fi.register, "\tlp_agent.RegisterRan(%d, %s[:])\n", fi.ranBase, name)
}

// alias writes the alias type lpFn_N of function n's signature.
func (fi *fileInstrumenter) alias(n int, sig signature) {
	fmt.Fprintf(&fi.tail, "type lpFn_%d = %s\n", n, sig.funcType())
}

// funcType writes the signature as a func type, the receiver first.
func (sig signature) funcType() string {
	resultList := ""
	switch len(sig.results) {
	case 0:
	case 1:
		resultList = " " + sig.results[0]
	default:
		resultList = " (" + strings.Join(sig.results, ", ") + ")"
	}
	return fmt.Sprintf("func(%s)%s", strings.Join(sig.params, ", "), resultList)
}

// registration writes the line of the init that registers function n
// under key with the wrapper that turns an interpreted function into
// lpFn_N: a typed one of the agent's, instantiated from the alias, or the
// reflect-based one for long signatures. Each patchable function costs one
// line of init code.
func (fi *fileInstrumenter) registration(n int, key string, sig signature) {
	wrap := fmt.Sprintf("lp_agent.Wrapper(lp_reflect.TypeOf((lpFn_%d)(nil)))", n)
	// The typed wrappers are generic: a package whose go line is older
	// than Go 1.18 cannot instantiate them.
	if len(sig.params)+len(sig.results) <= typedArity && (!sig.variadic || len(sig.params) > 0) && generics(fi.pkg) {
		family := "Func"
		if sig.variadic {
			family = "Variadic"
		}
		wrap = fmt.Sprintf("lp_agent.%s%d_%d((lpFn_%d)(nil))", family, len(sig.params), len(sig.results), n)
	}
	fmt.Fprintf(&fi.register, "\tlp_agent.RegisterFunc(%d, %s, %s)\n", n, strconv.Quote(key), wrap)
}

// generics reports whether package pkg's language version has generics
// (a module's go line of 1.18 or later, or none).
func generics(pkg *types.Package) bool {
	v := pkg.GoVersion()
	return v == "" || goversion.Compare(v, "go1.18") >= 0
}

// typedArity bounds the signatures (parameters, the receiver included, and
// results together) that get a typed wrapper; it is within the agent's
// TypedParams and TypedResults. Each instance of a typed wrapper costs
// code, a dictionary and symbol names: for all signatures the agent has
// wrappers for, Delve's cmd/dlv grew 4.5 MB; for at most two, the trivial
// calls whose cost the wrapper halves, 0.8 MB (docs/BENCHMARKS.md).
const typedArity = 2

// nameField returns the names of the parameters of field f, naming unnamed
// and blank ones: "lpP<i>" (i counts parameters) or fixed when not empty.
func (fi *fileInstrumenter) nameField(f *ast.Field, i int, fixed string) []string {
	gen := func(k int) string {
		if fixed != "" {
			return fixed
		}
		return fmt.Sprintf("lpP%d", i+k)
	}
	if len(f.Names) == 0 {
		name := gen(0)
		off := fi.offset(f.Type.Pos())
		fi.edits = append(fi.edits, edit{off: off, end: off, text: name + " "})
		return []string{name}
	}
	var names []string
	for k, id := range f.Names {
		if id.Name == "_" {
			name := gen(k)
			fi.edits = append(fi.edits, edit{off: fi.offset(id.Pos()), end: fi.offset(id.End()), text: name})
			names = append(names, name)
			continue
		}
		names = append(names, id.Name)
	}
	return names
}

// importName returns the name under which the file imports package p,
// and whether it does.
func (fi *fileInstrumenter) importName(p *types.Package) (string, bool) {
	for _, is := range fi.file.Imports {
		if path, err := strconv.Unquote(is.Path.Value); err == nil && path == p.Path() {
			switch {
			case is.Name == nil:
				return p.Name(), true
			case is.Name.Name == "_" || is.Name.Name == ".":
				return "", false
			default:
				return is.Name.Name, true
			}
		}
	}
	return "", false
}

// exprString prints a type expression of the file on one line.
func (fi *fileInstrumenter) exprString(e ast.Expr) string {
	var b bytes.Buffer
	cfg := printer.Config{Mode: printer.RawFormat}
	if err := cfg.Fprint(&b, fi.fset, e); err != nil {
		return string(fi.src[fi.offset(e.Pos()):fi.offset(e.End())])
	}
	return b.String()
}

// checkNames returns a reason when a receiver, parameter or result name of
// fd would clash with a name the prologue or its declarations use.
func (fi *fileInstrumenter) checkNames(fd *ast.FuncDecl) string {
	lists := []*ast.FieldList{fd.Recv, fd.Type.Params, fd.Type.Results}
	for _, l := range lists {
		if l == nil {
			continue
		}
		for _, f := range l.List {
			for _, id := range f.Names {
				if reservedName(id.Name) {
					return fmt.Sprintf("name %s clashes with livepatch's generated names", id.Name)
				}
			}
		}
	}
	// The prologue declares lpT in the body's scope.
	clash := ""
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && clash == "" && reservedName(id.Name) {
			clash = id.Name
		}
		return clash == ""
	})
	if clash != "" {
		return fmt.Sprintf("name %s clashes with livepatch's generated names", clash)
	}
	return ""
}

// reservedName reports whether name could clash with a generated name.
func reservedName(name string) bool {
	shown, show := UserName(name)
	return !show || shown != name || generatedPrefixed(name)
}

// generatedPrefixed reports whether name starts like a generated name.
func generatedPrefixed(name string) bool {
	for _, p := range []string{"lp_", "lpFn_", ranPrefix, FieldAccessorPrefix, MethodAccessorPrefix, VarAddrPrefix, InstancePrefix} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// packageClash returns a reason when a package-level name of pkg could
// clash with the generated declarations or imports, or "".
func packageClash(pkg *types.Package) string {
	for _, name := range pkg.Scope().Names() {
		if generatedPrefixed(name) {
			return fmt.Sprintf("package-level name %s clashes with livepatch's generated names", name)
		}
	}
	return ""
}

// ReasonGenericBlank is the Function.Reason of a generic function or
// method with a blank type parameter, which its prologue cannot name
// (genericshape.go); callers branch on it.
const ReasonGenericBlank = "generic code with a blank type parameter"

// unpatchable returns why fd cannot carry a dispatch prologue, or "".
func unpatchable(fd *ast.FuncDecl, linknamed map[string]bool) string {
	switch {
	case fd.Body == nil:
		return "no body (declared elsewhere)"
	case fd.Name.Name == "_":
		return "blank function name"
	case fd.Recv == nil && fd.Name.Name == "init":
		return "init function"
	case fd.Recv == nil && linknamed[fd.Name.Name]:
		return "//go:linkname"
	}
	if fd.Doc != nil {
		for _, c := range fd.Doc.List {
			for _, d := range skipDirectives {
				if prefix, ok := strings.CutSuffix(d, "*"); ok {
					if strings.HasPrefix(c.Text, prefix) {
						return strings.Fields(c.Text)[0]
					}
				} else if c.Text == d || strings.HasPrefix(c.Text, d+" ") {
					return d
				}
			}
		}
	}
	return ""
}

// linknamedFuncs returns the local names that //go:linkname directives
// anywhere in file refer to.
func linknamedFuncs(file *ast.File) map[string]bool {
	names := map[string]bool{}
	for _, cg := range file.Comments {
		for _, c := range cg.List {
			if f := strings.Fields(c.Text); len(f) >= 2 && f[0] == "//go:linkname" {
				names[f[1]] = true
			}
		}
	}
	return names
}

// importsC reports whether file is a cgo file.
func importsC(file *ast.File) bool {
	for _, is := range file.Imports {
		if is.Path.Value == `"C"` {
			return true
		}
	}
	return false
}

// funcKey names a function or method as "path.F", "path.T.M" or "path.(*T).M".
func funcKey(pkgPath string, fd *ast.FuncDecl) string { return FuncKey(pkgPath, fd) }

// FuncKey names the function or method fd of package pkgPath as the
// manifest and the agent do: "path.F", "path.T.M" or "path.(*T).M" (type
// parameters left out of a generic receiver).
func FuncKey(pkgPath string, fd *ast.FuncDecl) string {
	base, ptr, _, ok := ReceiverBase(fd)
	switch {
	case !ok:
		return pkgPath + "." + fd.Name.Name
	case ptr:
		return pkgPath + ".(*" + base + ")." + fd.Name.Name
	}
	return pkgPath + "." + base + "." + fd.Name.Name
}

// ReceiverBase returns the name of the type of fd's receiver ("?" when it
// is not a plain name), whether the receiver is a pointer, and whether the
// type is generic; ok is false for a function.
func ReceiverBase(fd *ast.FuncDecl) (name string, ptr, generic, ok bool) {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return "", false, false, false
	}
	t := fd.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.ParenExpr:
			t = x.X
			continue
		case *ast.StarExpr:
			t, ptr = x.X, true
			continue
		case *ast.IndexExpr:
			t, generic = x.X, true
			continue
		case *ast.IndexListExpr:
			t, generic = x.X, true
			continue
		}
		break
	}
	name = "?"
	if id, isIdent := t.(*ast.Ident); isIdent {
		name = id.Name
	}
	return name, ptr, generic, true
}

// UserName says how a local variable of an instrumented function shows to
// the user: the prologue's own variables (lpT, lpF, lpOK, lpG) not at all
// (show false), the names given to unnamed and blank parameters and
// receivers (lpP<i>, lpR) as the blank name "_" they stand for, and every
// other name as it is.
// It knows every local name the prologue and the parameter renaming
// declare; reservedName keeps user code from declaring them.
func UserName(name string) (shown string, show bool) {
	switch name {
	case "lpT", "lpF", "lpOK", "lpG":
		return "", false
	case "lpR":
		return "_", true
	}
	if digits, ok := strings.CutPrefix(name, "lpP"); ok {
		if _, err := strconv.Atoi(digits); err == nil {
			return "_", true
		}
	}
	return name, true
}
