package change

import (
	"go/ast"
	"go/token"
)

// typeDecls refuses every type declaration of the saved file that changed or
// went away; a new type is declared with the change, for patched code.
func (c *classifier) typeDecls() {
	for _, name := range sortedKeys(c.cur.types) {
		c.typeChange(name)
	}
	for _, name := range sortedKeys(c.old.types) {
		if c.cur.types[name] == nil {
			c.refuse(c.cur.file.Name.Pos(), "", "type %s removed", name)
		}
	}
}

// typeChange refuses a changed type declaration; a struct's fields are
// compared one by one to say what changed.
func (c *classifier) typeChange(name string) {
	cur, old := c.cur, c.old
	ts, os := cur.types[name], old.types[name]
	if os == nil {
		return // a new type: declared with the change, for patched code
	}
	if squeeze(cur.slice(ts.Pos(), ts.End())) == squeeze(old.slice(os.Pos(), os.End())) {
		return
	}
	st, ok1 := ts.Type.(*ast.StructType)
	ost, ok2 := os.Type.(*ast.StructType)
	if !ok1 || !ok2 {
		c.refuse(ts.Pos(), "", "type %s changed", name)
		return
	}
	nf, of := structFields(cur, st), structFields(old, ost)
	oldByName := map[string]field{}
	for _, f := range of {
		oldByName[f.name] = f
	}
	newByName := map[string]bool{}
	for _, f := range nf {
		newByName[f.name] = true
		if _, ok := oldByName[f.name]; !ok {
			c.refuse(f.pos, "", "field %s added to %s", f.name, name)
			return
		}
	}
	for _, f := range of {
		if !newByName[f.name] {
			c.refuse(ts.Pos(), "", "field %s removed from %s", f.name, name)
			return
		}
	}
	for i, f := range nf {
		if of[i].name != f.name {
			c.refuse(f.pos, "", "fields of %s reordered", name)
			return
		}
		if of[i].typ != f.typ {
			c.refuse(f.pos, "", "type of field %s of %s changed", f.name, name)
			return
		}
	}
	c.refuse(ts.Pos(), "", "type %s changed", name)
}

// field is a field of a struct type as written: an embedded field is
// named by its type.
type field struct {
	name, typ string
	pos       token.Pos
}

// structFields returns the fields of s, a struct type of fd.
func structFields(fd *FileDecls, s *ast.StructType) []field {
	var out []field
	for _, f := range s.Fields.List {
		typ := squeeze(fd.slice(f.Type.Pos(), f.Type.End()))
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
