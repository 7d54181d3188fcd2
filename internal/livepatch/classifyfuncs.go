package livepatch

import (
	"go/ast"
	"go/token"
	"strings"

	"github.com/livepatch/livepatch/internal/change"
)

// funcs decides each function of the saved file: applied, a helper of
// the applied ones, reverted (edited back to its compiled form), left as
// it is, or refused. It returns the plain functions whose signature
// changed, for resigned to decide.
func (c *classifier) funcs() (resigned []*funcDecl) {
	cur, old, prev, live := c.cur, c.old, c.prev, c.live
	for _, key := range cur.order {
		fn, o := cur.funcs[key], old.funcs[key]
		lp := live[key]
		untouched := prev != nil && prev.funcs[key] != nil && prev.funcs[key].text == fn.text
		if lp != nil && lp.Origin == OriginPrompt && untouched {
			continue // the file did not change it: the prompt's patch stays
		}
		if o != nil && fn.code == o.code {
			if lp != nil {
				c.pl.revert = append(c.pl.revert, key)
			}
			continue
		}
		f, inManifest := c.prog.funcs[key]
		switch {
		case strings.Contains(key, ".init#"):
			c.refuse(fn.decl.Pos(), key, "init function changed")
		case o == nil && fn.generic:
			c.refuse(fn.decl.Pos(), key, "new generic function %s", fn.name)
		case o == nil && fn.decl.Recv != nil:
			// A new method: of a new type, or added to a compiled one;
			// the package check declares it with the change.
		case o == nil:
			c.pl.helpers = append(c.pl.helpers, fn)
		case fn.generic:
			c.refuse(fn.decl.Pos(), key, "generic function %s changed", fn.name)
		case fn.sig != o.sig && fn.decl.Recv == nil:
			resigned = append(resigned, fn)
		case fn.sig != o.sig:
			c.refuse(fn.decl.Pos(), key, "signature of %s changed", fn.name)
		case fn.decl.Body == nil:
			c.refuse(fn.decl.Pos(), key, "body of %s removed", fn.name)
		case !inManifest || !f.Patchable:
			why := "not in the build"
			if inManifest {
				why = f.Reason
			}
			c.refuse(fn.decl.Pos(), key, "%s cannot be patched (%s)", fn.name, why)
		case lp != nil && codeOf(lp.source) == fn.code:
			// Already live.
		default:
			c.pl.apply = append(c.pl.apply, fn)
			if pos, changed := changedLiteral(cur, fn, old, o); changed {
				c.pl.notes = append(c.pl.notes, c.diagnostic(pos, key, change.Note,
					"a function literal in "+fn.name+" changed: closures it made before keep their old code"))
			}
		}
	}
	return resigned
}

// helpersChanged queues again every live patch of the file when the
// declarations the file adds changed (new functions, methods and types):
// each is compiled again with them, as it may use them.
func (c *classifier) helpersChanged() {
	cur, old, prev, live := c.cur, c.old, c.prev, c.live
	changedHelper := prev == nil || cur.added(old) != prev.added(old)
	for _, h := range c.pl.helpers {
		changedHelper = changedHelper || prev.funcs[h.key] == nil || prev.funcs[h.key].text != h.text
	}
	if !changedHelper {
		return
	}
	queued := map[string]bool{}
	for _, fn := range c.pl.apply {
		queued[fn.key] = true
	}
	for _, fn := range c.pl.helpers {
		queued[fn.key] = true
	}
	for _, key := range cur.order {
		fn, o, lp := cur.funcs[key], old.funcs[key], live[key]
		if lp != nil && lp.Origin == OriginSave && !queued[key] && o != nil && fn.code != o.code {
			c.pl.apply = append(c.pl.apply, fn)
		}
	}
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
