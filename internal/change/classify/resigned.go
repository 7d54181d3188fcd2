package classify

import (
	"fmt"
	"strings"

	"github.com/livepatch/livepatch/internal/change/diag"
)

// resigned decides the functions and methods of the saved file whose
// signature changed: each becomes a helper of its callers when every
// compiled use of it is in a function of its package that the change
// patches (patched, in any file of the change) or that a save made live;
// otherwise it is refused. A method becomes a method the change adds (the
// package check refuses it where an interface of the program could reach
// the compiled one: change/resignedmethods.go). A caller that a file of the change declares as compiled (its
// call fits the new signature as it is, a variadic parameter added, say)
// is patched with its own text, so that it calls the new function
// (declared finds it).
func (c *classifier) resigned(fns []*FuncDecl, patched map[string]bool, declared func(key string) (*classifier, *FuncDecl)) {
	live := c.live
	for _, fn := range fns {
		users, inFile := c.callers(fn.Key)
		var unpatched, elsewhere []string
		for _, u := range users {
			lp, isLive := live[u]
			samePkg := strings.HasPrefix(u, c.cur.PkgPath+".") && !strings.Contains(u[len(c.cur.PkgPath)+1:], "/")
			switch {
			case !samePkg:
				elsewhere = append(elsewhere, c.prog.Display(u))
			case !patched[u] && (!isLive || lp.Prompt) && !c.repatchCaller(u, patched, declared):
				unpatched = append(unpatched, strings.TrimPrefix(u, c.cur.PkgPath+"."))
			}
		}
		switch {
		case !inFile:
			c.refuse(fn.Decl.Pos(), fn.Key, "signature of %s changed and code outside the functions of this file uses it", fn.Name)
		case len(elsewhere) > 0:
			c.refuse(fn.Decl.Pos(), fn.Key, "signature of %s changed and its compiled caller %s, of another package, is not patched: a change is planned one package at a time", fn.Name, strings.Join(elsewhere, ", "))
		case len(unpatched) > 0:
			// Editing (or removing) those callers makes it go live: the
			// save waits for them.
			d := c.diagnostic(fn.Decl.Pos(), fn.Key, diag.RefusedUnpatched, fmt.Sprintf("signature of %s changed and its compiled caller %s is not patched", fn.Name, strings.Join(unpatched, ", ")))
			d.Edits = c.cur.PkgPath
			c.pl.Refusals = append(c.pl.Refusals, d)
		default:
			c.pl.Helpers = append(c.pl.Helpers, fn)
			if _, ok := live[fn.Key]; ok {
				c.pl.Revert = append(c.pl.Revert, fn.Key) // the helper replaces it for its callers
			}
		}
	}
}

// repatchCaller applies caller u, unchanged, when a file of the change
// declares it, it is patchable and not generic, and no prompt patch holds
// it; it reports whether it did.
func (c *classifier) repatchCaller(u string, patched map[string]bool, declared func(key string) (*classifier, *FuncDecl)) bool {
	owner, fn := declared(u)
	if fn == nil || fn.Generic || fn.Decl.Body == nil || strings.Contains(u, ".init#") {
		return false
	}
	if lp, isLive := c.live[u]; isLive && lp.Prompt {
		return false
	}
	if f, ok := c.prog.Func(u); !ok || !f.Patchable {
		return false
	}
	owner.pl.Apply = append(owner.pl.Apply, fn)
	patched[u] = true
	return true
}
