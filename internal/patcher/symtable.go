package patcher

import (
	"bytes"
	"fmt"
	"go/constant"
	"go/types"
	"strconv"
	"strings"
)

// Symbol tables are written as package-level arrays of lp_Sym, one element
// per line, which the compiler lays out as static data (also under
// `-N -l`), and turned into the agent's map[string]reflect.Value by
// lp_register at init. A map literal of reflect.ValueOf calls would be
// code: about 190 bytes of unoptimized machine code per symbol, 5 MB for
// Delve's cmd/dlv.

// Kinds of an lp_Sym, as written into the generated code.
const (
	symValue      = 0 // v is the symbol's value
	symVar        = 1 // v is the address of the variable
	symConstBool  = 2 // v is an untyped boolean constant's value
	symConstStr   = 3 // v is an untyped string constant's value
	symConstInt   = 4 // v is an untyped integer constant's exact value, in decimal
	symConstFloat = 5 // v is an untyped float constant as "numerator/denominator"
)

// symEntry formats one element of a symbol table.
func symEntry(name, value string, kind int) string {
	return fmt.Sprintf("\t{%q, %s, %d},\n", name, value, kind)
}

// constEntry returns the value and kind of the table element of constant
// c, referred to as ref; false when its kind is not supported.
func constEntry(c *types.Const, ref string) (string, int, bool) {
	if b, isBasic := c.Type().(*types.Basic); !isBasic || b.Info()&types.IsUntyped == 0 {
		return ref, symValue, true
	}
	v := c.Val()
	switch v.Kind() {
	case constant.Bool:
		return strconv.FormatBool(constant.BoolVal(v)), symConstBool, true
	case constant.String:
		return strconv.Quote(constant.StringVal(v)), symConstStr, true
	case constant.Int:
		return strconv.Quote(v.ExactString()), symConstInt, true
	case constant.Float:
		num, den := constant.Num(v), constant.Denom(v)
		return strconv.Quote(num.ExactString() + "/" + den.ExactString()), symConstFloat, true
	}
	return "", 0, false
}

// writeSymTable writes the declaration of table name holding entries.
func writeSymTable(b *bytes.Buffer, name string, entries []byte) {
	fmt.Fprintf(b, "\nvar %s = [...]lp_Sym{\n", name)
	b.Write(entries)
	b.WriteString("}\n")
}

// symRuntime is the code that every user package's symbols file declares
// for its tables (and for the standard-library tables of a root package).
// It uses no predeclared function (make, len), which the package may
// redeclare.
// It needs the imports lp_agent, lp_reflect, lp_constant and lp_token.
const symRuntime = `
// lp_Sym is one symbol: its name, a value and how to turn it into the
// agent's reflect.Value.
type lp_Sym struct {
	name string
	v    interface{}
	kind int
}

// lp_register registers the symbols of package path with the agent.
func lp_register(path, name string, syms []lp_Sym) {
	m := map[string]lp_reflect.Value{}
	for _, s := range syms {
		var v lp_reflect.Value
		switch s.kind {
		case 1:
			v = lp_reflect.ValueOf(s.v).Elem()
		case 2:
			v = lp_reflect.ValueOf(lp_constant.MakeBool(s.v.(bool)))
		case 3:
			v = lp_reflect.ValueOf(lp_constant.MakeString(s.v.(string)))
		case 4:
			v = lp_reflect.ValueOf(lp_intConst(s.v.(string)))
		case 5:
			num, den, _ := lp_cut(s.v.(string))
			v = lp_reflect.ValueOf(lp_constant.ToFloat(lp_constant.BinaryOp(lp_intConst(num), lp_token.QUO, lp_intConst(den))))
		default:
			v = lp_reflect.ValueOf(s.v)
		}
		m[s.name] = v
	}
	lp_agent.RegisterPackage(path, name, m)
}

// lp_intConst returns the integer constant of a decimal literal, which may
// be negative.
func lp_intConst(s string) lp_constant.Value {
	for _, c := range s {
		if c == '-' {
			return lp_constant.UnaryOp(lp_token.SUB, lp_constant.MakeFromLiteral(s[1:], lp_token.INT, 0), 0)
		}
		break
	}
	return lp_constant.MakeFromLiteral(s, lp_token.INT, 0)
}

// lp_cut cuts s around its first slash.
func lp_cut(s string) (string, string, bool) {
	for i, c := range s {
		if c == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
`

// isSymEntryLine reports whether a trimmed line of a generated file is one
// self-contained element of a symbol table.
func isSymEntryLine(l string) bool {
	return strings.HasPrefix(l, `{"`) && strings.HasSuffix(l, "},")
}
