package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
)

// lowerHost gives package lower (the control-flow lowering) the
// rewriter's substitution machinery and lookups.
type lowerHost struct{ r *rewriter }

func (h lowerHost) Add(n ast.Node, gen func() string)       { h.r.add(n, gen) }
func (h lowerHost) Fail(pos token.Pos, reason, msg string)  { h.r.refuse(pos, reason, msg) }
func (h lowerHost) Render(n ast.Node) string                { return h.r.renderNode(n) }
func (h lowerHost) Offset(pos token.Pos) int                { return h.r.in.Offset(pos) }
func (h lowerHost) TypeString(t types.Type) (string, error) { return h.r.typeString(t) }
func (h lowerHost) Qualifier(p *types.Package) string       { return h.r.qualifier(p) }
func (h lowerHost) Assigns(body ast.Node, v *types.Var) bool {
	return h.r.assigns(body, v)
}
func (h lowerHost) FuncDecl() *ast.FuncDecl { return h.r.funcDecl() }
func (h lowerHost) MethodAccessor(sel *types.Selection) string {
	return h.r.methodAccessor(sel)
}
