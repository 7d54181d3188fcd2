package change

import (
	"go/token"
	"path/filepath"
	"strings"
)

// Kinds of a varChange.
const (
	varNew     = iota // a variable the build does not have
	varInit           // a compiled variable whose declaration changed
	varRemoved        // a compiled variable no file declares any more
)

// varChange is a package variable whose declaration a save adds or
// changes. Which one goes live, and whether a changed one keeps its type,
// is decided once the package is checked (PlanSave, planvars.go).
type varChange struct {
	kind int
	name string
	file string // the saved file that declares it
	cur  *FileDecls
}

// varDecls sorts the variable declarations of the saved file: a new one
// goes live with the change (its initializer runs once, when it does); a
// compiled one whose declaration changed keeps its value (its initializer
// ran at start-up), unless its type changed. A blank variable (var _ I =
// (*T)(nil)) is checked with the package and runs nothing. Constants are
// compared by value once the package is checked (constReaders).
func (c *classifier) varDecls() {
	cur := c.cur
	for _, name := range sortedKeys(cur.values) {
		v := cur.values[name]
		if v.kind == kindConst || name == "_" {
			continue
		}
		o, had := c.compiledValue(name)
		switch {
		case !had:
			if mixed := compiledSibling(v, c.compiledValue); mixed != "" {
				c.refuse(v.pos, "", "new variable %s declared together with compiled variable %s (declare it apart)", name, mixed)
				continue
			}
			c.pl.vars = append(c.pl.vars, varChange{kind: varNew, name: name, file: c.file, cur: cur})
		case o.kind != v.kind:
			c.refuse(v.pos, "", "%s became a variable", name)
		case embedsOf(v.text) != embedsOf(o.text):
			c.refuse(v.pos, "", "//go:embed of variable %s changed", name)
		case squeeze(v.text) != squeeze(o.text):
			c.pl.vars = append(c.pl.vars, varChange{kind: varInit, name: name, file: c.file, cur: cur})
		}
	}
}

// removedVars records the compiled variables of the saved file that no
// file of the package declares any more (declared: the variables of the
// package's files as saved and as built, for those the save leaves alone);
// their compiled users decide once the package is checked (removedVars,
// planvars.go).
func (c *classifier) removedVars(declared map[string]bool) {
	for _, name := range sortedKeys(c.old.values) {
		if c.old.values[name].kind == kindVar && name != "_" && !declared[name] {
			c.pl.vars = append(c.pl.vars, varChange{kind: varRemoved, name: name, file: c.file, cur: c.cur})
		}
	}
}

// compiledValue returns the compiled declaration of the package-level
// constant or variable name of the saved file's package: in the file as
// built, or in another file of its package.
func (c *classifier) compiledValue(name string) (valueDecl, bool) {
	if v, ok := c.old.values[name]; ok {
		return v, true
	}
	for _, fd := range c.prog.packageDecls(filepath.Dir(c.file)) {
		if v, ok := fd.values[name]; ok {
			return v, true
		}
	}
	return valueDecl{}, false
}

// packageDecls returns the declarations of the compiled files of the
// package in directory dir.
func (b *Build) packageDecls(dir string) map[string]*FileDecls {
	out := map[string]*FileDecls{}
	for file := range b.compiled {
		if filepath.Dir(file) == dir {
			if fd := b.CompiledDecls(file); fd != nil {
				out[file] = fd
			}
		}
	}
	return out
}

// compiledSibling returns a name that v's spec declares which the build
// has already (lookup), or "".
func compiledSibling(v valueDecl, lookup func(string) (valueDecl, bool)) string {
	for _, n := range v.spec.Names {
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

// assignment returns the prompt input that sets the variables of v's spec
// as its initializer would: `limit = 20`, `a, b = f()`; "" for a spec
// without values.
func (fd *FileDecls) assignment(v valueDecl) string {
	s := v.spec
	if len(s.Values) == 0 {
		return ""
	}
	names := make([]string, len(s.Names))
	for i, n := range s.Names {
		names[i] = n.Name
	}
	return strings.Join(names, ", ") + " = " + squeeze(fd.slice(s.Values[0].Pos(), s.Values[len(s.Values)-1].End()))
}

// position returns pos of fd as a diagnostic's position, at the file's
// base name.
func (fd *FileDecls) position(pos token.Pos) token.Position {
	p := fd.fset.Position(pos)
	return token.Position{Filename: filepath.Base(p.Filename), Line: p.Line, Column: p.Column}
}

// packageVars returns the names of the variables that the files of a save
// declare, with those of the other compiled files of their package.
func packageVars(b *Build, fcs []fileChange) map[string]bool {
	declared := map[string]bool{}
	saved := map[string]bool{}
	for _, fc := range fcs {
		saved[fc.file] = true
		for name, v := range fc.cur.values {
			if v.kind == kindVar {
				declared[name] = true
			}
		}
	}
	if len(fcs) == 0 {
		return declared
	}
	for file, fd := range b.packageDecls(filepath.Dir(fcs[0].file)) {
		for name, v := range fd.values {
			if v.kind == kindVar && !saved[file] {
				declared[name] = true
			}
		}
	}
	return declared
}
