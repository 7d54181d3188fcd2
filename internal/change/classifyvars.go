package change

// varDecls refuses every variable declaration of the saved file that is new,
// changed or removed: compiled code has its place and ran its
// initializer. Constants are compared by value once the package is
// checked (constReaders, watch.go).
func (c *classifier) varDecls() {
	cur, old := c.cur, c.old
	for _, name := range sortedKeys(cur.values) {
		v, o := cur.values[name], old.values[name]
		if v.kind == kindConst {
			continue
		}
		switch _, had := old.values[name]; {
		case !had:
			c.refuse(v.pos, "", "new variable %s (compiled code has no place for it)", name)
		case o.kind != v.kind:
			c.refuse(v.pos, "", "%s became a variable", name)
		case squeeze(v.text) != squeeze(o.text):
			c.refuse(v.pos, "", "declaration of variable %s changed (its initializer ran at start)", name)
		}
	}
	for _, name := range sortedKeys(old.values) {
		if v, ok := cur.values[name]; old.values[name].kind == kindVar && (!ok || v.kind != kindVar) {
			c.refuse(cur.file.Name.Pos(), "", "variable %s removed", name)
		}
	}
}
