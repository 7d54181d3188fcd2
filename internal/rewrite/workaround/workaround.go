// Package workaround writes the statements and expressions that yaegi
// v0.16.1 runs wrongly (statements.go, closures.go, typeswitch.go) or crashes compiling
// (crashes.go) as equivalent ones it runs right, on the same lines, for
// package rewrite, starts a saved function's goroutines under the
// agent's recover of interpreter faults (goroutines.go), and unwraps what
// recover gives through the agent (recovered.go). Each rewriting needs only the input's syntax, text and type
// information: it writes through the rewriter's substitution machinery,
// which it reaches as a Host, so that its rewritings and the rewriter's
// other ones nest. The workarounds that need the rewriter's own lookups
// (a compiled package variable read live, a select's operands hoisted, a
// range with =, append's values) stay in package rewrite. It imports
// nothing of livepatch but internal/patcher/naming, package rewrite
// included.
package workaround

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Host is the rewriter as the workarounds use it (a subset of lower.Host).
type Host interface {
	// Add replaces n (a node of the input, or a range of it written as a
	// node) with the text gen returns when the rewriter renders it.
	Add(n ast.Node, gen func() string)
	// Fail records an error of the rewriting at pos, for reason (empty
	// for the workarounds).
	Fail(pos token.Pos, reason, msg string)
	// Render returns the text of n with the replacements inside it.
	Render(n ast.Node) string
	// Offset returns the offset of pos in the input, or a negative number.
	Offset(pos token.Pos) int
	// Qualifier names package p in the interpreted source.
	Qualifier(p *types.Package) string
	// TypeText writes t as the interpreter names it in the input's scope.
	TypeText(t types.Type) string
}

// Input is what the workarounds read of the rewriter's input.
type Input struct {
	Info  *types.Info
	Src   string         // the input's text, which Host.Offset indexes
	Stmts []ast.Stmt     // the input's statements (one function body for a declaration)
	File  *ast.File      // the file of a declaration, or nil
	Pkg   *types.Package // the package whose scope the input is in
	Saved bool           // the input is a saved change, not a prompt input
	// GoKey is the key of the saved function the input declares, whose
	// go statements start their goroutines under the agent's recover
	// (goroutines.go); "" for other inputs.
	GoKey string
}

// Rewriting rewrites the workarounds of one input.
type Rewriting struct {
	h     Host
	info  *types.Info
	src   string
	stmts []ast.Stmt
	file  *ast.File
	pkg   *types.Package
	saved bool

	goKey   string
	inLoop  map[*ast.GoStmt]bool // the go statements loopClosures has seen
	usedGo  bool
	wrapped map[*ast.FuncLit]bool // the literals loopClosures has seen
	labeled map[ast.Stmt]bool     // the statements of labeled statements seen
}

// New returns the workarounds' rewriting of in, written through h.
func New(h Host, in Input) *Rewriting {
	return &Rewriting{h: h, info: in.Info, src: in.Src, stmts: in.Stmts, file: in.File, pkg: in.Pkg, saved: in.Saved, goKey: in.GoKey}
}

// Visit rewrites or refuses node n of the input where yaegi would run it
// wrongly or fail on it; the rewriter calls it for every node.
func (w *Rewriting) Visit(n ast.Node) {
	w.statements(n) // statements.go
	w.crashes(n)    // crashes.go
	switch n := n.(type) {
	case *ast.GoStmt:
		w.startGuarded(n) // goroutines.go
	case *ast.ForStmt:
		w.loopClosures(n.Body) // closures.go
	case *ast.RangeStmt:
		w.loopClosures(n.Body)
	case *ast.CallExpr:
		w.unwrapRecover(n) // recovered.go
	}
}

// span is a range of the input that a replacement covers, for insertions.
type span struct{ from, to token.Pos }

func (s span) Pos() token.Pos { return s.from }
func (s span) End() token.Pos { return s.to }
