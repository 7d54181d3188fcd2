package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"go/types"
)

// IfaceLiteralPrefix prefixes the symbol under which the builder
// registers an interface type written as a literal (interface{ Name()
// string }, or an alias of one) that a package's code uses: yaegi v0.16.1
// matches no compiled value to an interface type it makes itself, and
// matches them to a compiled one (the symbol's).
const IfaceLiteralPrefix = "lpIface_"

// IfaceLiteral returns the symbol of interface type t, a literal with
// methods and no type set, and whether t is one: the same name for the
// builder and the rewriter, whose type-checks differ, from t's text with
// packages by path.
func IfaceLiteral(t types.Type) (string, bool) {
	it, ok := types.Unalias(t).(*types.Interface)
	if !ok || it.NumMethods() == 0 || !it.IsMethodSet() {
		return "", false
	}
	text := types.TypeString(it, func(p *types.Package) string { return p.Path() })
	sum := sha256.Sum256([]byte(text))
	return IfaceLiteralPrefix + hex.EncodeToString(sum[:6]), true
}
