package classify

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/internal/patcher"
)

// FuncDecl is one function or method declaration of a source text.
type FuncDecl struct {
	Key  string // "path.F", "path.T.M" or "path.(*T).M"
	Name string // F, T.M or (*T).M
	Decl *ast.FuncDecl
	Text string // the declaration, from `func` to its closing brace
	Line int    // line of `func`

	File    string // the file that declares it
	Sig     string // receiver and signature, as written, spaces squeezed
	Generic bool   // a generic function or a method of a generic type

	code  string // text's tokens without comments and layout (codeOf)
	types string // receiver and signature without names (SameSignature)
	// sigParts are the types of types, one by one, after the opening of
	// each list ("(", "[") that holds them.
	sigParts []string
}

// FileDecls are the top-level declarations of one file.
type FileDecls struct {
	PkgPath string
	Fset    *token.FileSet
	Syntax  *ast.File
	Src     []byte
	Funcs   map[string]*FuncDecl
	Values  map[string]ValueDecl // consts and vars by name

	order []string                 // keys of funcs in source order
	types map[string]*ast.TypeSpec // by name
	cgo   bool
}

// Kinds of a ValueDecl.
const (
	KindConst = "constant"
	KindVar   = "variable"
)

// ValueDecl is a constant or variable declaration.
type ValueDecl struct {
	Kind string // KindConst or KindVar
	Text string // its spec as written
	Pos  token.Pos
	Spec *ast.ValueSpec
}

// ParseFileDecls parses src, a file of package pkgPath.
func ParseFileDecls(pkgPath, filename string, src []byte) (*FileDecls, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	fd := &FileDecls{PkgPath: pkgPath, Fset: fset, Syntax: f, Src: src, Funcs: map[string]*FuncDecl{},
		types: map[string]*ast.TypeSpec{}, Values: map[string]ValueDecl{}}
	for _, is := range f.Imports {
		if is.Path.Value == `"C"` {
			fd.cgo = true
		}
	}
	inits := 0
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			fn := NewFuncDecl(fset, src, pkgPath, d)
			if d.Name.Name == "init" && d.Recv == nil {
				// Numbered among the file's init functions only, so that
				// adding another function does not make one look changed.
				inits++
				fn.Key = fmt.Sprintf("%s.init#%d", pkgPath, inits)
			}
			fn.File = filename
			fd.Funcs[fn.Key] = fn
			fd.order = append(fd.order, fn.Key)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					fd.types[s.Name.Name] = s
				case *ast.ValueSpec:
					kind := KindVar
					if d.Tok == token.CONST {
						kind = KindConst
					}
					// Constants of an iota group depend on their place:
					// index the spec's text with its position in the group.
					text := fd.slice(s.Pos(), s.End())
					if d.Tok == token.CONST && d.Lparen.IsValid() {
						text = fd.slice(d.Pos(), d.End())
					}
					text += embedDirectives(d, s)
					for _, n := range s.Names {
						fd.Values[n.Name] = ValueDecl{Kind: kind, Text: text, Pos: n.Pos(), Spec: s}
					}
				}
			}
		}
	}
	return fd, nil
}

// EmptyDecls are the declarations of a file the build does not have.
func EmptyDecls(pkgPath string) *FileDecls {
	return &FileDecls{PkgPath: pkgPath, Fset: token.NewFileSet(), Syntax: &ast.File{Name: &ast.Ident{}}, Funcs: map[string]*FuncDecl{},
		types: map[string]*ast.TypeSpec{}, Values: map[string]ValueDecl{}}
}

// slice returns the source between two positions.
func (fd *FileDecls) slice(from, to token.Pos) string {
	return string(fd.Src[fd.Fset.Position(from).Offset:fd.Fset.Position(to).Offset])
}

// NewFuncDecl describes d, declared in a file of package pkgPath; with a
// nil src only its key, name and line.
func NewFuncDecl(fset *token.FileSet, src []byte, pkgPath string, d *ast.FuncDecl) *FuncDecl {
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	fn := &FuncDecl{Decl: d, Line: fset.Position(d.Pos()).Line, Generic: d.Type.TypeParams != nil}
	if d.Body != nil && src != nil {
		fn.Text = string(src[off(d.Pos()):off(d.End())])
		fn.code = codeOf(fn.Text)
	}
	sigEnd := d.End()
	if d.Body != nil {
		sigEnd = d.Body.Lbrace
	}
	if src != nil {
		fn.Sig = strings.Join(strings.Fields(string(src[off(d.Pos()):off(sigEnd)])), " ")
		fn.Sig = strings.Replace(fn.Sig, " "+d.Name.Name+"(", "(", 1) // the name is the key's
		fn.types, fn.sigParts = signatureTypes(fset, src, d)
	}
	fn.Name = d.Name.Name
	if base, ptr, generic, ok := patcher.ReceiverBase(d); ok {
		fn.Generic = fn.Generic || generic
		if ptr {
			fn.Name = "(*" + base + ")." + d.Name.Name
		} else {
			fn.Name = base + "." + d.Name.Name
		}
	}
	fn.Key = pkgPath + "." + fn.Name
	return fn
}

func itoa(n int) string { return strconv.Itoa(n) }

// codeOf returns the tokens of Go source text, one space apart, without its
// comments and layout: two declarations with the same code compile to the
// same function, so an edit of comments, blank lines or indentation alone
// patches nothing.
func codeOf(text string) string {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(text)), []byte(text), func(token.Position, string) {}, 0)
	var b strings.Builder
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return b.String()
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue // a line end, which a layout change may move
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if lit != "" {
			b.WriteString(lit)
		} else {
			b.WriteString(tok.String())
		}
	}
}

// signatureTypes returns the receiver's type, the type parameters and the
// types of the parameters and results of d, as written, without the names
// of parameters and results: renaming them (`_` included) changes no
// signature. It returns them as one text and one by one, after the
// opening of each list that holds them.
func signatureTypes(fset *token.FileSet, src []byte, d *ast.FuncDecl) (string, []string) {
	var b strings.Builder
	var parts []string
	fields := func(open string, fl *ast.FieldList, named bool) {
		b.WriteString(open)
		parts = append(parts, open)
		if fl != nil {
			for _, f := range fl.List {
				typ := Squeeze(string(src[fset.Position(f.Type.Pos()).Offset:fset.Position(f.Type.End()).Offset]))
				for i := 0; i < max(1, len(f.Names)); i++ {
					if named && i < len(f.Names) {
						b.WriteString(f.Names[i].Name + " ") // type parameters are used by name
					}
					b.WriteString(typ + ",")
					parts = append(parts, typ)
				}
			}
		}
		b.WriteString(") ")
	}
	fields("(", d.Recv, false)
	fields("[", d.Type.TypeParams, true)
	fields("(", d.Type.Params, false)
	fields("(", d.Type.Results, false)
	return b.String(), parts
}

// SameSignature reports whether fn and o have the same receiver and
// signature, whatever their parameters are called.
func (fn *FuncDecl) SameSignature(o *FuncDecl) bool { return fn.types == o.types }

// embedDirectives returns the //go:embed lines of the comments of a
// variable's declaration, which are part of it: changing one changes what
// the variable holds.
func embedDirectives(d *ast.GenDecl, s *ast.ValueSpec) string {
	var b strings.Builder
	for _, g := range []*ast.CommentGroup{d.Doc, s.Doc} {
		if g == nil {
			continue
		}
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "//go:embed") {
				b.WriteString("\n" + c.Text)
			}
		}
	}
	return b.String()
}
