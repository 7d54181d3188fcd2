package classify

import (
	"go/token"
	"path/filepath"
	"strings"
)

// Kinds of a VarChange.
const (
	VarNew     = iota // a variable the build does not have
	VarInit           // a compiled variable whose declaration changed
	VarRemoved        // a compiled variable no file declares any more
	// VarRetyped is a compiled variable of the saved file whose declared
	// type changed: a new variable for the patched code when every
	// compiled user is patched (PlanSave, planvars.go).
	VarRetyped
)

// VarChange is a package variable whose declaration a save adds or
// changes. Which one goes live, and whether a changed one keeps its type,
// is decided once the package is checked (PlanSave, planvars.go).
type VarChange struct {
	Kind int // VarNew, VarInit, VarRemoved or VarRetyped
	Name string
	File string // the saved file that declares it
	Cur  *FileDecls
}

// varDecls sorts the variable declarations of the saved file: a new one
// goes live with the change (its initializer runs once, when it does); a
// compiled one whose declaration changed keeps its value (its initializer
// ran at start-up), unless its type changed. A blank variable (var _ I =
// (*T)(nil)) is checked with the package and runs nothing. Constants are
// compared by value once the package is checked (constReaders).
func (c *classifier) varDecls() {
	cur := c.cur
	for _, name := range sortedKeys(cur.Values) {
		v := cur.Values[name]
		if v.Kind == KindConst || name == "_" {
			continue
		}
		o, had := c.compiledValue(name)
		switch {
		case !had:
			if mixed := compiledSibling(v, c.compiledValue); mixed != "" {
				c.refuse(v.Pos, "", "new variable %s declared together with compiled variable %s (declare it apart)", name, mixed)
				continue
			}
			c.pl.Vars = append(c.pl.Vars, VarChange{Kind: VarNew, Name: name, File: c.file, Cur: cur})
		case o.Kind != v.Kind:
			c.refuse(v.Pos, "", "%s became a variable", name)
		case embedsOf(v.Text) != embedsOf(o.Text):
			c.refuse(v.Pos, "", "//go:embed of variable %s changed", name)
		case Squeeze(v.Text) != Squeeze(o.Text) && c.retyped(name, v):
			c.pl.Vars = append(c.pl.Vars, VarChange{Kind: VarRetyped, Name: name, File: c.file, Cur: cur})
		case Squeeze(v.Text) != Squeeze(o.Text):
			c.pl.Vars = append(c.pl.Vars, VarChange{Kind: VarInit, Name: name, File: c.file, Cur: cur})
		}
	}
}

// retyped reports whether v, the saved declaration of compiled variable
// name of the file as built, declares another type than the build: both
// name their type, and not one type (Build.SameType).
func (c *classifier) retyped(name string, v ValueDecl) bool {
	o, ok := c.old.Values[name]
	if !ok || o.Spec == nil || v.Spec == nil || o.Spec.Type == nil || v.Spec.Type == nil {
		return false
	}
	return !c.sameType(c.old.slice(o.Spec.Type.Pos(), o.Spec.Type.End()), c.cur.slice(v.Spec.Type.Pos(), v.Spec.Type.End()))
}

// removedVars records the compiled variables of the saved file that no
// file of the package declares any more (declared: the variables of the
// package's files as saved and as built, for those the save leaves alone);
// their compiled users decide once the package is checked (removedVars,
// planvars.go).
func (c *classifier) removedVars(declared map[string]bool) {
	for _, name := range sortedKeys(c.old.Values) {
		if c.old.Values[name].Kind == KindVar && name != "_" && !declared[name] {
			c.pl.Vars = append(c.pl.Vars, VarChange{Kind: VarRemoved, Name: name, File: c.file, Cur: c.cur})
		}
	}
}

// compiledValue returns the compiled declaration of the package-level
// constant or variable name of the saved file's package: in the file as
// built, or in another file of its package.
func (c *classifier) compiledValue(name string) (ValueDecl, bool) {
	if v, ok := c.old.Values[name]; ok {
		return v, true
	}
	for _, fd := range c.prog.PackageDecls(filepath.Dir(c.file)) {
		if v, ok := fd.Values[name]; ok {
			return v, true
		}
	}
	return ValueDecl{}, false
}

// compiledSibling returns a name that v's spec declares which the build
// has already (lookup), or "".
func compiledSibling(v ValueDecl, lookup func(string) (ValueDecl, bool)) string {
	for _, n := range v.Spec.Names {
		if _, ok := lookup(n.Name); ok && n.Name != "_" {
			return n.Name
		}
	}
	return ""
}

// embedsOf returns the //go:embed directives of a declaration's text
// (embedDirectives).
func embedsOf(text string) string {
	if i := strings.Index(text, "\n//go:embed"); i >= 0 {
		return text[i:]
	}
	return ""
}

// Assignment returns the prompt input that sets the variables of v's spec
// as its initializer would: `limit = 20`, `a, b = f()`; "" for a spec
// without values.
func (fd *FileDecls) Assignment(v ValueDecl) string {
	s := v.Spec
	if len(s.Values) == 0 {
		return ""
	}
	names := make([]string, len(s.Names))
	for i, n := range s.Names {
		names[i] = n.Name
	}
	return strings.Join(names, ", ") + " = " + Squeeze(fd.slice(s.Values[0].Pos(), s.Values[len(s.Values)-1].End()))
}

// Position returns pos of fd as a diagnostic's position, at the file's
// base name.
func (fd *FileDecls) Position(pos token.Pos) token.Position {
	p := fd.Fset.Position(pos)
	return token.Position{Filename: filepath.Base(p.Filename), Line: p.Line, Column: p.Column}
}

// packageVars returns the names of the variables that the files of a save
// declare, with those of the other compiled files of their package.
func packageVars(b Build, fcs []FileChange) map[string]bool {
	declared := map[string]bool{}
	saved := map[string]bool{}
	for _, fc := range fcs {
		saved[fc.File] = true
		for name, v := range fc.Cur.Values {
			if v.Kind == KindVar {
				declared[name] = true
			}
		}
	}
	if len(fcs) == 0 {
		return declared
	}
	for file, fd := range b.PackageDecls(filepath.Dir(fcs[0].File)) {
		for name, v := range fd.Values {
			if v.Kind == KindVar && !saved[file] {
				declared[name] = true
			}
		}
	}
	return declared
}
