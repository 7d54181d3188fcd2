package native

import (
	"go/ast"
	"go/types"
	"regexp"
	"strconv"

	"github.com/livepatch/livepatch/internal/rewrite"
	"github.com/livepatch/livepatch/target"
)

// The plugin's code is compiled at the patched module's language version
// (a plugin's package lives in that module), which may predate generics
// and `any`: it writes interface{} and no generic helper.
//
// A package variable a change declares anew lives in the agent's table of
// them (side.Var): when an interpreted patch declared it first, the agent
// shared the interpreter's storage there (side.Share; the types of such
// variables are never ones the change declares, which planvars.go
// refuses), so the plugin takes that storage and the value it holds. The
// plugin declares such a variable as a pointer to storage in the agent's
// table of them (side.Var), keyed by the package, the name and the type,
// and its uses become (*v):
//
//	var v = lp_side.Var("example.com/m/lib.v int", func() interface{} { var lpV int; lpV = 3; return &lpV }).(*int)
//
// Every plugin that declares it shares that storage, so its initializer
// runs once, when the first of them loads, as issue 13 wants of a new
// package variable. Constants a change declares anew the plugin declares
// as written, their whole const declaration (iota and implicit values
// kept).

// sidePath is the import path of the agent's side tables.
const sidePath = target.AgentImportPath + "/side"

// selfRE matches the names of the patched package's types in the text
// typeText has types.TypeString write.
var selfRE = regexp.MustCompile("\x00\\.(\\w+)")

// writeVar returns the plugin's declaration of v, a package variable the
// change declares anew in spec.
func (w *funcWriter) writeVar(spec *ast.ValueSpec, v *types.Var) (string, error) {
	idx := -1
	for i, n := range spec.Names {
		if n.Name == v.Name() {
			idx = i
		}
	}
	if len(spec.Values) > 0 && len(spec.Values) != len(spec.Names) {
		return "", notCovered("package variable %s, which the change declares anew with a call of several results", v.Name())
	}
	w.tok = w.c.Fset.File(spec.Pos())
	var typ string
	var err error
	if spec.Type != nil {
		typ, err = newWriter(w.c, w.src, w.imports, w.nd).write(spec.Type, nil)
	} else {
		typ, err = w.typeText(v.Type())
	}
	if err != nil {
		return "", err
	}
	init := ""
	if len(spec.Values) > 0 {
		val, err := newWriter(w.c, w.src, w.imports, w.nd).write(spec.Values[idx], nil)
		if err != nil {
			return "", err
		}
		init = "lpV = " + val + "; "
	}
	w.imports["lp_side"] = sidePath
	key := strconv.Quote(rewrite.VarKey(v))
	return "var " + v.Name() + " = lp_side.Var(" + key + ", func() interface{} { var lpV " + typ + "; " + init + "return &lpV }).(*" + typ + ")", nil
}

// typeText returns how the plugin writes t, importing the packages it
// names.
func (w *funcWriter) typeText(t types.Type) (string, error) {
	var err error
	text := types.TypeString(t, func(p *types.Package) string {
		if p == w.c.Pkg {
			return "\x00"
		}
		if prev, dup := w.imports[p.Name()]; dup && prev != p.Path() {
			err = notCovered("%s names two packages in the plugin", p.Name())
		}
		w.imports[p.Name()] = p.Path()
		return p.Name()
	})
	text = selfRE.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2:]
		obj := w.c.Pkg.Scope().Lookup(name)
		if w.c.Compiled.Scope().Lookup(name) == nil {
			if nerr := w.nd.need(obj); nerr != nil && err == nil {
				err = nerr
			}
			return name
		}
		s, perr := w.packageName(obj)
		if perr != nil && err == nil {
			err = perr
		}
		return s
	})
	return text, err
}

// writeConsts returns the plugin's copy of gd, a const declaration that
// declares a constant the change declares anew.
func (w *funcWriter) writeConsts(gd *ast.GenDecl) (string, error) {
	w.tok = w.c.Fset.File(gd.Pos())
	return w.write(gd, nil)
}
