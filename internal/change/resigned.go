package change

import "strings"

// resigned decides the plain functions of the saved file whose signature
// changed: each becomes a helper of its callers when every compiled use
// of it is in a function of this file that the save patches (or that a
// save made live); otherwise it is refused.
func (c *classifier) resigned(fns []*FuncDecl) {
	live := c.live
	for _, fn := range fns {
		patched := map[string]bool{}
		for _, a := range c.pl.apply {
			patched[a.Key] = true
		}
		users, inFile := c.callers(fn.Key)
		var unpatched []string
		for _, u := range users {
			if !patched[u] && (live[u] == Live{} || live[u].Prompt) {
				unpatched = append(unpatched, strings.TrimPrefix(u, c.cur.pkgPath+"."))
			}
		}
		switch {
		case !inFile:
			c.refuse(fn.Decl.Pos(), fn.Key, "signature of %s changed and code outside the functions of this file uses it", fn.Name)
		case len(unpatched) > 0:
			c.refuse(fn.Decl.Pos(), fn.Key, "signature of %s changed and its compiled caller %s is not patched", fn.Name, strings.Join(unpatched, ", "))
		default:
			c.pl.helpers = append(c.pl.helpers, fn)
			if _, ok := live[fn.Key]; ok {
				c.pl.revert = append(c.pl.revert, fn.Key) // the helper replaces it for its callers
			}
		}
	}
}
