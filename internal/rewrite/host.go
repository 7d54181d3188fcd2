package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
)

// host gives package lower (the control-flow lowering, as a lower.Host)
// and package workaround (as a workaround.Host) the rewriter's
// substitution machinery and lookups.
type host struct{ r *rewriter }

func (h host) Add(n ast.Node, gen func() string)       { h.r.add(n, gen) }
func (h host) Fail(pos token.Pos, reason, msg string)  { h.r.refuse(pos, reason, msg) }
func (h host) Render(n ast.Node) string                { return h.r.renderNode(n) }
func (h host) Offset(pos token.Pos) int                { return h.r.in.Offset(pos) }
func (h host) TypeString(t types.Type) (string, error) { return h.r.typeString(t) }
func (h host) Qualifier(p *types.Package) string       { return h.r.qualifier(p) }
func (h host) TypeText(t types.Type) string            { return h.r.typeText(t) }
func (h host) Assigns(body ast.Node, v *types.Var) bool {
	return h.r.assigns(body, v)
}
func (h host) FuncDecl() *ast.FuncDecl { return h.r.funcDecl() }
func (h host) MethodAccessor(sel *types.Selection) string {
	return h.r.methodAccessor(sel)
}
