package prompt

import (
	"context"
	"encoding/json"
	"errors"
	"go/types"
	"sort"
	"strings"

	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/change/frame"
	"github.com/livepatch/livepatch/internal/dapproxy"
)

// completions answers a completions request from the frame's locals, its
// package's scope, its file's imports and the session's declarations, or,
// after a dot, from the members of the package or the type before it. A
// request the prompt cannot place gets no targets, never an error.
func (p *Prompt) completions(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	var a dap.CompletionsArguments
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, &dapproxy.Error{ID: dapproxy.ErrInvalidMessage, Summary: "invalid completions arguments", Detail: err.Error()}
	}
	targets := p.complete(ctx, s, a)
	if targets == nil {
		targets = []dap.CompletionItem{}
	}
	return dap.CompletionsResponseBody{Targets: targets}, nil
}

func (p *Prompt) complete(ctx context.Context, s *dapproxy.Session, a dap.CompletionsArguments) []dap.CompletionItem {
	prog := p.checker.Program(ctx)
	if !launched(s) || prog == nil {
		return nil
	}
	st := p.session(ctx, s)
	text := a.Text
	if a.Line > 1 {
		lines := strings.Split(text, "\n")
		if a.Line <= len(lines) {
			text = lines[a.Line-1]
		}
	}
	cursor := min(max(a.Column-1, 0), len(text))
	before := text[:cursor]
	ws := cursor
	for ws > 0 && isIdent(before[ws-1]) {
		ws--
	}
	word := before[ws:]

	sc := p.completionScope(s, st, prog, a.FrameId)
	if sc == nil {
		return nil
	}
	var items []dap.CompletionItem
	seen := map[string]bool{}
	add := func(label, typ, detail string) {
		if !strings.HasPrefix(label, word) || seen[label] || label == "_" || strings.HasPrefix(label, "lp") && strings.Contains(label, "_") {
			return
		}
		seen[label] = true
		items = append(items, dap.CompletionItem{Label: label, Type: dap.CompletionItemType(typ), Detail: detail})
	}
	if ws > 0 && before[ws-1] == '.' {
		recv := receiverExpr(before[:ws-1])
		if recv == "" {
			return nil
		}
		p.members(prog, sc, st, recv, add)
	} else {
		for _, v := range sc.Vars() {
			add(v.Name(), "variable", types.TypeString(v.Type(), types.RelativeTo(sc.Package())))
		}
		for _, n := range st.history.Names() {
			add(n, "variable", "")
		}
		pkgScope := sc.Package().Scope()
		for _, n := range pkgScope.Names() {
			add(n, objectKind(pkgScope.Lookup(n)), "")
		}
		for _, is := range sc.Imports() {
			add(is.Name, "module", is.Path)
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Label < items[j].Label })
	return items
}

// completionScope returns the scope an input of frame frameID would run
// in (evalGo): the frame's, or package scope while the program runs or
// when the frame is not in a user package; nil when there is none.
func (p *Prompt) completionScope(s *dapproxy.Session, st *session, prog *change.Program, frameID int) *frame.Scope {
	d := st.d
	if !st.programRuns() {
		_, _, sc, err := p.frameScope(s, d, prog, frameID)
		var nu *notUserFrame
		if err == nil {
			return sc
		}
		if !errors.As(err, &nu) {
			return nil
		}
	}
	sc, err := frame.InPackage(prog, st.scopePackage(prog))
	if err != nil {
		return nil
	}
	return sc
}

// members lists the members of the package or value that recv names.
func (p *Prompt) members(prog *change.Program, sc *frame.Scope, st *session, recv string, add func(label, typ, detail string)) {
	pkg, t := sc.Operand(&st.history, recv)
	if pkg != nil {
		scope := pkg.Scope()
		for _, n := range scope.Names() {
			if o := scope.Lookup(n); o.Exported() {
				add(n, objectKind(o), "")
			}
		}
		return
	}
	if t == nil {
		return
	}
	qual := types.RelativeTo(sc.Package())
	base := t
	if ptr, ok := types.Unalias(t).(*types.Pointer); ok {
		base = ptr.Elem()
	}
	if st, ok := base.Underlying().(*types.Struct); ok {
		var fields func(st *types.Struct, depth int)
		fields = func(st *types.Struct, depth int) {
			for i := 0; i < st.NumFields(); i++ {
				f := st.Field(i)
				if f.Exported() || prog.UserPackage(f.Pkg().Path()) {
					add(f.Name(), "field", types.TypeString(f.Type(), qual))
				}
				if f.Embedded() && depth < 3 {
					ft := f.Type()
					if ptr, ok := types.Unalias(ft).(*types.Pointer); ok {
						ft = ptr.Elem()
					}
					if est, ok := ft.Underlying().(*types.Struct); ok {
						fields(est, depth+1)
					}
				}
			}
		}
		fields(st, 0)
	}
	mt := t
	if _, isPtr := types.Unalias(t).(*types.Pointer); !isPtr && !types.IsInterface(t) {
		mt = types.NewPointer(t)
	}
	ms := types.NewMethodSet(mt)
	for i := 0; i < ms.Len(); i++ {
		m := ms.At(i).Obj()
		if m.Exported() {
			add(m.Name(), "method", types.TypeString(m.Type(), qual))
		}
	}
}

// receiverExpr returns the expression that ends s: a chain of names,
// selectors, calls and index expressions.
func receiverExpr(s string) string {
	i := len(s)
	depth := 0
	for i > 0 {
		ch := s[i-1]
		switch {
		case ch == ')' || ch == ']':
			depth++
		case ch == '(' || ch == '[':
			if depth == 0 {
				return strings.TrimSpace(s[i:])
			}
			depth--
		case depth > 0 || isIdent(ch) || ch == '.' || ch == '*' && i > 1 && s[i-2] == '(':
		default:
			return strings.TrimSpace(s[i:])
		}
		i--
	}
	return strings.TrimSpace(s)
}

// objectKind returns the DAP completion type of a package-level object.
func objectKind(o types.Object) string {
	switch o.(type) {
	case *types.Func:
		return "function"
	case *types.TypeName:
		return "class"
	case *types.Const:
		return "constant"
	case *types.PkgName:
		return "module"
	}
	return "variable"
}

func isIdent(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}
