package livepatch

import (
	"fmt"
	"go/ast"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
)

// plan is what one save changes, once classified.
type plan struct {
	apply    []*funcDecl // bodies to make live
	helpers  []*funcDecl // new functions, compiled with every applied body
	revert   []string    // keys edited back to their compiled form
	refusals []string    // why the change needs a restart, file:line:col: reason
	notes    []string    // what the user should know of an applicable change, file:line:col: note
}

// classify compares a saved file (cur) with its compiled form (old) and
// with what the watcher saw before (prev, possibly nil), given the live
// patches. Anything that cannot be applied live becomes a refusal; then
// nothing of the save may be applied.
//
// A function whose signature changed can still be applied when it is not a
// method and every compiled use of it is in a function of this file that
// the change patches (or that a save made live): callers reports those
// users, and whether every use is such a function. Then the function
// becomes a helper of the patched callers.
func classify(prog *program, file string, old, cur, prev *fileDecls, live map[string]*Patch, callers func(key string) ([]string, bool)) plan {
	var pl plan
	refuse := func(pos token.Pos, format string, args ...any) {
		p := cur.fset.Position(pos)
		pl.refusals = append(pl.refusals, fmt.Sprintf("%s:%d:%d: %s: restart to apply", filepath.Base(file), p.Line, p.Column, fmt.Sprintf(format, args...)))
	}
	if cur.cgo && string(cur.src) != string(old.src) {
		refuse(cur.file.Package, "file uses cgo")
		return pl
	}
	for _, name := range sortedKeys(cur.types) {
		classifyType(cur, old, name, refuse)
	}
	for _, name := range sortedKeys(old.types) {
		if cur.types[name] == nil {
			refuse(cur.file.Name.Pos(), "type %s removed", name)
		}
	}
	// Constants are compared by value once the package is checked
	// (constants in session.go); variables here.
	for _, name := range sortedKeys(cur.values) {
		v, o := cur.values[name], old.values[name]
		if v.kind == kindConst {
			continue
		}
		switch _, had := old.values[name]; {
		case !had:
			refuse(v.pos, "new variable %s (compiled code has no place for it)", name)
		case o.kind != v.kind:
			refuse(v.pos, "%s became a variable", name)
		case squeeze(v.text) != squeeze(o.text):
			refuse(v.pos, "declaration of variable %s changed (its initializer ran at start)", name)
		}
	}
	for _, name := range sortedKeys(old.values) {
		if v, ok := cur.values[name]; old.values[name].kind == kindVar && (!ok || v.kind != kindVar) {
			refuse(cur.file.Name.Pos(), "variable %s removed", name)
		}
	}
	var resigned []*funcDecl // plain functions whose signature changed
	for _, key := range cur.order {
		fn, o := cur.funcs[key], old.funcs[key]
		lp := live[key]
		untouched := prev != nil && prev.funcs[key] != nil && prev.funcs[key].text == fn.text
		if lp != nil && lp.Origin == OriginPrompt && untouched {
			continue // the file did not change it: the prompt's patch stays
		}
		if o != nil && fn.text == o.text {
			if lp != nil {
				pl.revert = append(pl.revert, key)
			}
			continue
		}
		f, inManifest := prog.funcs[key]
		switch {
		case strings.Contains(key, ".init#"):
			refuse(fn.decl.Pos(), "init function changed")
		case o == nil && fn.generic:
			refuse(fn.decl.Pos(), "new generic function %s", fn.name)
		case o == nil && fn.decl.Recv != nil:
			// A new method: of a new type, or added to a compiled one;
			// the package check declares it with the change.
		case o == nil:
			pl.helpers = append(pl.helpers, fn)
		case fn.generic:
			refuse(fn.decl.Pos(), "generic function %s changed", fn.name)
		case fn.sig != o.sig && fn.decl.Recv == nil:
			resigned = append(resigned, fn)
		case fn.sig != o.sig:
			refuse(fn.decl.Pos(), "signature of %s changed", fn.name)
		case fn.decl.Body == nil:
			refuse(fn.decl.Pos(), "body of %s removed", fn.name)
		case !inManifest || !f.Patchable:
			why := "not in the build"
			if inManifest {
				why = f.Reason
			}
			refuse(fn.decl.Pos(), "%s cannot be patched (%s)", fn.name, why)
		case lp != nil && lp.source == fn.text:
			// Already live.
		default:
			pl.apply = append(pl.apply, fn)
			if pos, changed := changedLiteral(cur, fn, old, o); changed {
				p := cur.fset.Position(pos)
				pl.notes = append(pl.notes, fmt.Sprintf("%s:%d:%d: a function literal in %s changed: closures it made before keep their old code",
					filepath.Base(file), p.Line, p.Column, fn.name))
			}
		}
	}
	for _, fn := range resigned {
		patched := map[string]bool{}
		for _, a := range pl.apply {
			patched[a.key] = true
		}
		users, inFile := callers(fn.key)
		var unpatched []string
		for _, u := range users {
			if !patched[u] && (live[u] == nil || live[u].Origin != OriginSave) {
				unpatched = append(unpatched, strings.TrimPrefix(u, cur.pkgPath+"."))
			}
		}
		switch {
		case !inFile:
			refuse(fn.decl.Pos(), "signature of %s changed and code outside the functions of this file uses it", fn.name)
		case len(unpatched) > 0:
			refuse(fn.decl.Pos(), "signature of %s changed and its compiled caller %s is not patched", fn.name, strings.Join(unpatched, ", "))
		default:
			pl.helpers = append(pl.helpers, fn)
			if live[fn.key] != nil {
				pl.revert = append(pl.revert, fn.key) // the helper replaces it for its callers
			}
		}
	}
	// When the declarations the file adds changed (new functions,
	// methods and types), every live patch of the file that may use them is
	// compiled again with them.
	changedHelper := prev == nil || cur.added(old) != prev.added(old)
	for _, h := range pl.helpers {
		changedHelper = changedHelper || prev.funcs[h.key] == nil || prev.funcs[h.key].text != h.text
	}
	if changedHelper {
		queued := map[string]bool{}
		for _, fn := range pl.apply {
			queued[fn.key] = true
		}
		for _, fn := range pl.helpers {
			queued[fn.key] = true
		}
		for _, key := range cur.order {
			fn, o, lp := cur.funcs[key], old.funcs[key], live[key]
			if lp != nil && lp.Origin == OriginSave && !queued[key] && o != nil && fn.text != o.text {
				pl.apply = append(pl.apply, fn)
			}
		}
	}
	for _, key := range old.order {
		if cur.funcs[key] == nil {
			refuse(cur.file.Name.Pos(), "%s removed", old.funcs[key].name)
		}
	}
	return pl
}

// classifyType refuses a changed type declaration; a struct's fields are
// compared one by one to say what changed.
func classifyType(cur, old *fileDecls, name string, refuse func(token.Pos, string, ...any)) {
	ts, os := cur.types[name], old.types[name]
	if os == nil {
		return // a new type: declared with the change, for patched code
	}
	if squeeze(cur.text(ts.Pos(), ts.End())) == squeeze(old.text(os.Pos(), os.End())) {
		return
	}
	st, ok1 := ts.Type.(*ast.StructType)
	ost, ok2 := os.Type.(*ast.StructType)
	if !ok1 || !ok2 {
		refuse(ts.Pos(), "type %s changed", name)
		return
	}
	type field struct {
		name, typ string
		pos       token.Pos
	}
	list := func(fd *fileDecls, s *ast.StructType) []field {
		var out []field
		for _, f := range s.Fields.List {
			typ := squeeze(fd.text(f.Type.Pos(), f.Type.End()))
			if f.Tag != nil {
				typ += " " + f.Tag.Value
			}
			if len(f.Names) == 0 {
				out = append(out, field{typ, typ, f.Pos()})
			}
			for _, n := range f.Names {
				out = append(out, field{n.Name, typ, n.Pos()})
			}
		}
		return out
	}
	nf, of := list(cur, st), list(old, ost)
	oldByName := map[string]field{}
	for _, f := range of {
		oldByName[f.name] = f
	}
	newByName := map[string]bool{}
	for _, f := range nf {
		newByName[f.name] = true
		if _, ok := oldByName[f.name]; !ok {
			refuse(f.pos, "field %s added to %s", f.name, name)
			return
		}
	}
	for _, f := range of {
		if !newByName[f.name] {
			refuse(ts.Pos(), "field %s removed from %s", f.name, name)
			return
		}
	}
	for i, f := range nf {
		if of[i].name != f.name {
			refuse(f.pos, "fields of %s reordered", name)
			return
		}
		if of[i].typ != f.typ {
			refuse(f.pos, "type of field %s of %s changed", f.name, name)
			return
		}
	}
	refuse(ts.Pos(), "type %s changed", name)
}

// added returns the text of the declarations of fd that old does not have:
// new functions, methods and types, in source order.
func (fd *fileDecls) added(old *fileDecls) string {
	var b strings.Builder
	for _, key := range fd.order {
		if old.funcs[key] == nil {
			b.WriteString(fd.funcs[key].text)
		}
	}
	for _, name := range sortedKeys(fd.types) {
		if ts := fd.types[name]; old.types[name] == nil {
			b.WriteString(fd.text(ts.Pos(), ts.End()))
		}
	}
	return b.String()
}

// changedLiteral reports whether the function literals of fn (in cur)
// differ from those of its compiled form o (in old), and where the first
// one that differs is. The patch applies to closures the function makes
// from now on; those it made before, stored or running, keep the code they
// were made with.
func changedLiteral(cur *fileDecls, fn *funcDecl, old *fileDecls, o *funcDecl) (token.Pos, bool) {
	lits := func(fd *fileDecls, d *ast.FuncDecl) ([]string, []token.Pos) {
		var texts []string
		var at []token.Pos
		ast.Inspect(d.Body, func(n ast.Node) bool {
			if fl, ok := n.(*ast.FuncLit); ok {
				texts = append(texts, squeeze(fd.text(fl.Pos(), fl.End())))
				at = append(at, fl.Pos())
				return false
			}
			return true
		})
		return texts, at
	}
	if fn.decl.Body == nil || o.decl.Body == nil {
		return token.NoPos, false
	}
	now, at := lits(cur, fn.decl)
	before, _ := lits(old, o.decl)
	for i, t := range now {
		if i >= len(before) || before[i] != t {
			return at[i], true
		}
	}
	return token.NoPos, false
}

// squeeze collapses runs of white space, so that reindenting is no change.
func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

func sortStrings(s []string) { sort.Strings(s) }
