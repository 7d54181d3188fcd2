package frame

import "sort"

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
