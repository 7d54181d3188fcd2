package classify

import "strings"

// resigned decides the plain functions of the saved file whose signature
// changed: each becomes a helper of its callers when every compiled use
// of it is in a function of its package that the change patches (patched,
// in any file of the change) or that a save made live; otherwise it is
// refused.
func (c *classifier) resigned(fns []*FuncDecl, patched map[string]bool) {
	live := c.live
	for _, fn := range fns {
		users, inFile := c.callers(fn.Key)
		var unpatched []string
		for _, u := range users {
			lp, isLive := live[u]
			samePkg := strings.HasPrefix(u, c.cur.PkgPath+".")
			if !patched[u] && (!isLive || lp.Prompt || !samePkg) {
				unpatched = append(unpatched, strings.TrimPrefix(u, c.cur.PkgPath+"."))
			}
		}
		switch {
		case !inFile:
			c.refuse(fn.Decl.Pos(), fn.Key, "signature of %s changed and code outside the functions of this file uses it", fn.Name)
		case len(unpatched) > 0:
			c.refuse(fn.Decl.Pos(), fn.Key, "signature of %s changed and its compiled caller %s is not patched", fn.Name, strings.Join(unpatched, ", "))
		default:
			c.pl.Helpers = append(c.pl.Helpers, fn)
			if _, ok := live[fn.Key]; ok {
				c.pl.Revert = append(c.pl.Revert, fn.Key) // the helper replaces it for its callers
			}
		}
	}
}
