package agent

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// funcSource is a replacement function taken apart: its parameter list with
// every parameter named (receiver first), its result list as written, and its
// body as written, with the snippet line on which the body starts.
type funcSource struct {
	params   string
	results  string
	body     string
	bodyLine int // 1-based line of the body's '{' in the snippet
	// selectors lists the package-like names used as X in X.Sel that are
	// not declared in the snippet.
	selectors []string
}

// parseFuncSource accepts a function declaration, a method declaration or a
// function literal.
func parseFuncSource(src string) (*funcSource, error) {
	const declPrefix = "package p\n"
	fset := token.NewFileSet()
	f, declErr := parser.ParseFile(fset, "", declPrefix+src, 0)
	if declErr == nil && len(f.Decls) == 1 {
		if fd, ok := f.Decls[0].(*ast.FuncDecl); ok {
			if fd.Body == nil {
				return nil, fmt.Errorf("function %s has no body", fd.Name.Name)
			}
			var fields []*ast.Field
			if fd.Recv != nil {
				fields = append(fields, fd.Recv.List...)
			}
			fields = append(fields, fd.Type.Params.List...)
			return newFuncSource(fset, f, declPrefix+src, len(declPrefix), fields, fd.Type.Results, fd.Body)
		}
	}
	const litPrefix = "package p\nvar _ = "
	f, litErr := parser.ParseFile(fset, "", litPrefix+src, 0)
	if litErr == nil && len(f.Decls) == 1 {
		if gd, ok := f.Decls[0].(*ast.GenDecl); ok && len(gd.Specs) == 1 {
			if vs, ok := gd.Specs[0].(*ast.ValueSpec); ok && len(vs.Values) == 1 {
				if lit, ok := vs.Values[0].(*ast.FuncLit); ok {
					return newFuncSource(fset, f, litPrefix+src, len(litPrefix), lit.Type.Params.List, lit.Type.Results, lit.Body)
				}
			}
		}
	}
	if declErr != nil {
		return nil, fmt.Errorf("not a function declaration or literal: %v", trimPosition(declErr.Error()))
	}
	return nil, fmt.Errorf("not a function declaration or literal")
}

// newFuncSource renders the parts of a parsed function. text is the parsed
// text and skip the length of the prefix added in front of the snippet.
func newFuncSource(fset *token.FileSet, f *ast.File, text string, skip int, params []*ast.Field, results *ast.FieldList, body *ast.BlockStmt) (*funcSource, error) {
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	var ps []string
	for _, fld := range params {
		typ := text[off(fld.Type.Pos()):off(fld.Type.End())]
		if len(fld.Names) == 0 {
			ps = append(ps, "_ "+typ)
			continue
		}
		var names []string
		for _, n := range fld.Names {
			names = append(names, n.Name)
		}
		ps = append(ps, strings.Join(names, ", ")+" "+typ)
	}
	fs := &funcSource{params: strings.Join(ps, ", ")}
	if results != nil && len(results.List) > 0 {
		fs.results = text[off(results.Pos()):off(results.End())]
	}
	fs.body = text[off(body.Lbrace):off(body.End())]
	fs.bodyLine = strings.Count(text[skip:off(body.Lbrace)], "\n") + 1

	fs.selectors = unresolvedSelectors(f)
	return fs, nil
}

// importName returns the name under which an import spec such as `"fmt"` or
// `str "strings"` binds its package.
func importName(spec string) (string, error) {
	spec = strings.TrimSpace(spec)
	alias := ""
	if i := strings.IndexAny(spec, " \t"); i > 0 {
		alias, spec = spec[:i], strings.TrimSpace(spec[i:])
	}
	path, err := strconv.Unquote(spec)
	if err != nil {
		return "", fmt.Errorf("bad import spec %q", spec)
	}
	if alias != "" {
		return alias, nil
	}
	if n := registeredName(path); n != "" {
		return n, nil
	}
	return path[strings.LastIndex(path, "/")+1:], nil
}

// importPath returns the import path of an import spec such as `"fmt"` or
// `str "strings"`, or "" when the spec is malformed.
func importPath(spec string) string {
	spec = strings.TrimSpace(spec)
	if i := strings.IndexAny(spec, " \t"); i > 0 {
		spec = strings.TrimSpace(spec[i:])
	}
	path, err := strconv.Unquote(spec)
	if err != nil {
		return ""
	}
	return path
}

// trimPosition removes a leading "line:col: " from a parser message.
func trimPosition(msg string) string {
	if m := positionRE.FindStringSubmatch(msg); m != nil {
		return m[3]
	}
	return msg
}

// unresolvedSelectors returns, sorted, the names used as X in X.Sel that
// are not declared in f: candidates for package names.
func unresolvedSelectors(f *ast.File) []string {
	unresolved := map[string]bool{}
	for _, id := range f.Unresolved {
		unresolved[id.Name] = true
	}
	seen := map[string]bool{}
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		if se, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := se.X.(*ast.Ident); ok && id.Obj == nil && unresolved[id.Name] && !seen[id.Name] {
				seen[id.Name] = true
				names = append(names, id.Name)
			}
		}
		return true
	})
	sort.Strings(names)
	return names
}

// emptyFset returns a file set for parsing one throwaway snippet.
func emptyFset() *token.FileSet { return token.NewFileSet() }
