package change

import (
	"go/token"
	"go/types"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/patcher/naming"
)

// ifaceLiteralSrc asserts to interface types written as literals, directly
// and through an alias (testify's tHelper).
const ifaceLiteralSrc = `package wa

type tHelper = interface{ Helper() }

func Help(t any) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
		return true
	}
	return false
}

func Name(x any) string {
	switch v := x.(type) {
	case interface{ Name() string }:
		return v.Name()
	}
	return ""
}
`

// TestRewriteInterfaceLiteralAssertion checks that an assertion to an
// interface literal (or an alias of one) is written to the symbol of its
// compiled type, which the builder registers (naming.IfaceLiteral), and
// not refused; yaegi matches no compiled value to the interface it makes
// of the literal.
func TestRewriteInterfaceLiteralAssertion(t *testing.T) {
	prog, file := loadProgram(t, ifaceLiteralSrc)
	ch, err := prog.rewriteChange(file, []byte(ifaceLiteralSrc), []string{"example.com/wa.Help", "example.com/wa.Name"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	helper := literalSymbol(t, "Helper", types.NewSignatureType(nil, nil, nil, nil, nil, false))
	str := types.NewTuple(types.NewVar(token.NoPos, nil, "", types.Typ[types.String]))
	name := literalSymbol(t, "Name", types.NewSignatureType(nil, nil, nil, nil, str, false))
	for key, want := range map[string][]string{
		"Help": {"h, ok := func() (" + helper + ", bool) { lpX := t; if lpX == nil { var lpZ " + helper + "; return lpZ, false }; lpV, lpOK := lpX.(" + helper + "); return lpV, lpOK }()"},
		"Name": {"_, lpOK := lpTS.(" + name + ")", "v := lpTS.(" + name + ")"},
	} {
		src := ch.Funcs["example.com/wa."+key].Source
		for _, w := range want {
			if !strings.Contains(src, w) {
				t.Errorf("%s: rewritten source lacks %q:\n%s", key, w, src)
			}
		}
	}
}

// literalSymbol returns the naming.IfaceLiteral symbol of the interface
// literal with the one method name of signature sig.
func literalSymbol(t *testing.T, name string, sig *types.Signature) string {
	t.Helper()
	it := types.NewInterfaceType([]*types.Func{types.NewFunc(token.NoPos, nil, name, sig)}, nil).Complete()
	sym, ok := naming.IfaceLiteral(it)
	if !ok {
		t.Fatalf("%s: no interface literal", it)
	}
	return sym
}
