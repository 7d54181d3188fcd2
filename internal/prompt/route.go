package prompt

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"

	"github.com/livepatch/livepatch/internal/replsyntax"
)

// Prefixes that force an input's path (replsyntax owns them).
const (
	DelvePrefix = replsyntax.DelvePrefix
	GoPrefix    = replsyntax.GoPrefix
)

// path is where an input goes.
type path int

const (
	toDelve path = iota // Delve's evaluate, as sent
	toAgent             // Go in the target
)

// route decides where input goes and returns the text to send there, and
// whether a prefix forced the path. declared reports names that earlier
// inputs declared: Delve does not know them.
func route(input string, declared func(string) bool) (p path, text string, forced bool) {
	t := strings.TrimSpace(input)
	switch {
	case strings.HasPrefix(t, DelvePrefix):
		return toDelve, strings.TrimSpace(t[len(DelvePrefix):]), true
	case strings.HasPrefix(t, GoPrefix):
		return toAgent, strings.TrimSpace(t[len(GoPrefix):]), true
	case strings.HasPrefix(t, "dlv ") || strings.HasPrefix(t, "call "):
		return toDelve, input, true
	case t == "":
		return toDelve, input, true
	}
	e, err := parser.ParseExpr(t)
	if err != nil || !plain(e, declared) {
		return toAgent, t, false
	}
	return toDelve, input, false
}

// basicConversions are the calls Delve evaluates itself.
var basicConversions = map[string]bool{
	"bool": true, "string": true, "int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"float32": true, "float64": true, "complex64": true, "complex128": true, "byte": true, "rune": true,
	"len": true, "cap": true,
}

// plain reports whether e is an expression Delve evaluates well: no calls
// (but conversions to basic types, len and cap), no function literals, no
// composite literals, no receives, and no names of earlier inputs.
func plain(e ast.Expr, declared func(string) bool) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if declared(n.Name) {
				ok = false
			}
		case *ast.CallExpr:
			if id, isIdent := n.Fun.(*ast.Ident); !isIdent || !basicConversions[id.Name] {
				ok = false
			}
		case *ast.FuncLit, *ast.CompositeLit:
			ok = false
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				ok = false
			}
		}
		return ok
	})
	return ok
}
