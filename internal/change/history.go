package change

import (
	"go/ast"
	"go/types"
	"sort"
)

// maxHistory bounds the declaring inputs a history remembers.
const maxHistory = 200

// History is what the earlier inputs of a prompt session declared, as in a
// REPL: later inputs are checked after them. The zero value is an empty
// history. It is not safe for concurrent use.
type History struct {
	inputs   []*input        // declaring inputs, oldest first
	declared map[string]bool // names declared by inputs
}

// Remember adds a declaring input (Input.Declares) to the history.
func (h *History) Remember(in *Input) {
	h.inputs = append(h.inputs, in.in)
	if len(h.inputs) > maxHistory {
		h.inputs = h.inputs[len(h.inputs)-maxHistory:]
	}
	if h.declared == nil {
		h.declared = map[string]bool{}
	}
	for id, obj := range in.c.info.Defs {
		if obj != nil && in.c.inputOffset(id.Pos()) >= 0 {
			h.declared[id.Name] = true
		}
	}
}

// Declared reports whether an input of the history declared name.
func (h *History) Declared(name string) bool { return h.declared[name] }

// Names returns the names the inputs of the history declared, sorted.
func (h *History) Names() []string {
	names := make([]string, 0, len(h.declared))
	for n := range h.declared {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Operand returns what expr, typed in scope sc after the inputs of h,
// names: a package (the import of the scope's file or of an earlier input
// bound to that name, unless a local hides it), or the type of a value.
// Both are nil when it is neither or does not check.
func (p *Program) Operand(sc *Scope, h *History, expr string) (*types.Package, types.Type) {
	if sc.local(expr) == nil {
		specs := sc.fileImports()
		for _, in := range h.inputs {
			specs = append(specs, in.imports...)
		}
		for _, is := range specs {
			ip := p.pkgs[is.path]
			if ip == nil || (is.name != expr && (is.name != "" || ip.Name() != expr)) {
				continue
			}
			return ip, nil
		}
	}
	in, err := parseInput("_ = " + expr)
	if err != nil {
		return nil, nil
	}
	c, err := p.check(sc, h.inputs, in)
	if err != nil || len(c.stmts) != 1 {
		return nil, nil
	}
	as, ok := c.stmts[0].(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 {
		return nil, nil
	}
	e := as.Rhs[0]
	if id, ok := e.(*ast.Ident); ok {
		if pn, ok := c.info.Uses[id].(*types.PkgName); ok {
			return pn.Imported(), nil
		}
	}
	tv, ok := c.info.Types[e]
	if !ok || tv.Type == nil {
		return nil, nil
	}
	return nil, tv.Type
}
