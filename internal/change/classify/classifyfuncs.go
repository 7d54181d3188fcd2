package classify

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"

	"github.com/livepatch/livepatch/internal/change/diag"
)

// funcs decides each function of the saved file: applied, a helper of
// the applied ones, reverted (edited back to its compiled form), left as
// it is, or refused. It returns the functions and methods whose signature
// changed, for resigned to decide.
func (c *classifier) funcs() (resigned []*FuncDecl) {
	cur, prev, live := c.cur, c.prev, c.live
	for _, key := range cur.order {
		fn := cur.Funcs[key]
		o, ofd := c.compiledOf(key)
		lp, isLive := live[key]
		untouched := prev != nil && prev.Funcs[key] != nil && prev.Funcs[key].Text == fn.Text
		if isLive && lp.Prompt && untouched {
			continue // the file did not change it: the prompt's patch stays
		}
		if o != nil && fn.code == o.code {
			if isLive {
				c.pl.Revert = append(c.pl.Revert, key)
			}
			continue
		}
		f, inManifest := c.prog.Func(key)
		switch {
		case strings.Contains(key, ".init#"):
			c.refuse(fn.Decl.Pos(), key, "init function changed")
		case o == nil && fn.Generic:
			c.refuse(fn.Decl.Pos(), key, "new generic function %s", fn.Name)
		case o == nil && fn.Decl.Recv != nil:
			// A new method: of a new type, or added to a compiled one;
			// the package check declares it with the
		case o == nil:
			c.pl.Helpers = append(c.pl.Helpers, fn)
		case fn.Generic && !fn.SameSignature(o):
			c.refuse(fn.Decl.Pos(), key, "signature of generic function %s changed", fn.Name)
		case fn.Generic && !(inManifest && f.Patchable):
			c.refuse(fn.Decl.Pos(), key, "generic function %s changed", fn.Name)
		case !c.sameSignature(fn, o):
			resigned = append(resigned, fn)
		case fn.Decl.Body == nil:
			c.refuse(fn.Decl.Pos(), key, "body of %s removed", fn.Name)
		case !inManifest || !f.Patchable:
			why := "not in the build"
			if inManifest {
				why = f.Reason
			}
			c.refuse(fn.Decl.Pos(), key, "%s cannot be patched (%s)", fn.Name, why)
		case isLive && codeOf(lp.Text) == fn.code:
			// Already live.
		default:
			c.pl.Apply = append(c.pl.Apply, fn)
			if pos, changed := changedLiteral(cur, fn, ofd, o); changed {
				c.pl.Notes = append(c.pl.Notes, c.diagnostic(pos, key, diag.Note,
					"a function literal in "+fn.Name+" changed: closures it made before keep their old code"))
			}
		}
	}
	return resigned
}

// sameSignature reports whether fn of the saved file and o, its compiled
// form, have the same signature: the same types, whatever their names or
// their spelling (`interface{}` or `any`: Build.SameType).
func (c *classifier) sameSignature(fn, o *FuncDecl) bool {
	if fn.SameSignature(o) {
		return true
	}
	if fn.Generic || o.Generic || len(fn.sigParts) != len(o.sigParts) {
		return false
	}
	for i, p := range fn.sigParts {
		q := o.sigParts[i]
		if strings.HasPrefix(p, "...") && strings.HasPrefix(q, "...") {
			p, q = p[3:], q[3:]
		}
		if p != q && (p == "(" || p == "[" || q == "(" || q == "[" || !c.prog.SameType(o.File, q, c.file, c.cur, p)) {
			return false
		}
	}
	return true
}

// compiledOf returns the compiled declaration of key with the
// declarations of its file: in the file's compiled form, or, for a
// function that moved from another file of its package, in that file's.
func (c *classifier) compiledOf(key string) (*FuncDecl, *FileDecls) {
	if o := c.old.Funcs[key]; o != nil {
		return o, c.old
	}
	f, ok := c.prog.Func(key)
	if !ok || f.File == c.file || strings.Contains(key, ".init#") {
		return nil, nil
	}
	if fd := c.prog.CompiledDecls(f.File); fd != nil && fd.Funcs[key] != nil {
		return fd.Funcs[key], fd
	}
	return nil, nil
}

// removed decides the functions and methods the file declared as built
// and no file of the change declares now (declared): a removed function
// stays compiled, unused, when no compiled code left unpatched uses it
// (patched are the functions the change patches).
func (c *classifier) removed(declared, patched map[string]bool) {
	for _, key := range c.old.order {
		if declared[key] {
			continue
		}
		name := c.old.Funcs[key].Name
		users, ok := c.callers(key)
		var unpatched, keys []string
		for _, u := range users {
			if u != key && !patched[u] {
				unpatched = append(unpatched, c.prog.Display(u))
				keys = append(keys, u)
			}
		}
		at := c.cur.Syntax.Name.Pos()
		switch {
		case strings.Contains(key, ".init#"):
			c.refuse(at, key, "%s removed: it ran at start-up", name)
		case !ok:
			c.refuse(at, key, "%s removed and a declaration outside any function uses it", name)
		case len(unpatched) > 0:
			d := c.diagnostic(at, key, diag.RefusedUnpatched, fmt.Sprintf("%s removed and compiled code uses it (%s)", name, strings.Join(unpatched, ", ")))
			if f, ok := c.prog.Func(keys[0]); ok && allOf(c.prog, keys, f.Package) {
				d.Edits = f.Package
			}
			c.pl.Refusals = append(c.pl.Refusals, d)
		default:
			c.pl.Notes = append(c.pl.Notes, c.diagnostic(at, key, diag.Note, name+" removed: its compiled body stays in the program, unused"))
		}
	}
}

// helpersChanged reports whether the declarations the file adds (new
// functions, methods and types) changed since it was last planned: then
// every live patch of the change is compiled again with them (requeue),
// as it may use them.
func (c *classifier) helpersChanged() bool {
	cur, old, prev := c.cur, c.old, c.prev
	changed := prev == nil || cur.added(old) != prev.added(old)
	for _, h := range c.pl.Helpers {
		changed = changed || prev.Funcs[h.Key] == nil || prev.Funcs[h.Key].Text != h.Text
	}
	return changed
}

// requeue queues again every live patch of the file that a save made.
func (c *classifier) requeue() {
	cur, live := c.cur, c.live
	queued := map[string]bool{}
	for _, fn := range c.pl.Apply {
		queued[fn.Key] = true
	}
	for _, fn := range c.pl.Helpers {
		queued[fn.Key] = true
	}
	for _, key := range cur.order {
		fn := cur.Funcs[key]
		o, _ := c.compiledOf(key)
		lp, isLive := live[key]
		if isLive && !lp.Prompt && !queued[key] && o != nil && fn.code != o.code {
			c.pl.Apply = append(c.pl.Apply, fn)
		}
	}
}

// changedLiteral reports whether the function literals of fn (in cur)
// differ from those of its compiled form o (in old), and where the first
// one that differs is. The patch applies to closures the function makes
// from now on; those it made before, stored or running, keep the code they
// were made with.
func changedLiteral(cur *FileDecls, fn *FuncDecl, old *FileDecls, o *FuncDecl) (token.Pos, bool) {
	lits := func(fd *FileDecls, d *ast.FuncDecl) ([]string, []token.Pos) {
		var texts []string
		var at []token.Pos
		ast.Inspect(d.Body, func(n ast.Node) bool {
			if fl, ok := n.(*ast.FuncLit); ok {
				texts = append(texts, Squeeze(fd.slice(fl.Pos(), fl.End())))
				at = append(at, fl.Pos())
				return false
			}
			return true
		})
		return texts, at
	}
	if fn.Decl.Body == nil || o.Decl.Body == nil {
		return token.NoPos, false
	}
	now, at := lits(cur, fn.Decl)
	before, _ := lits(old, o.Decl)
	for i, t := range now {
		if i >= len(before) || before[i] != t {
			return at[i], true
		}
	}
	return token.NoPos, false
}

// allOf reports whether every function of keys is of package pkg.
func allOf(b Build, keys []string, pkg string) bool {
	for _, k := range keys {
		if f, ok := b.Func(k); !ok || f.Package != pkg {
			return false
		}
	}
	return true
}
