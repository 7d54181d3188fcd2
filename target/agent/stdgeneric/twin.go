package stdgeneric

import (
	"go/scanner"
	"go/token"
	"strings"
)

// twinSuffix ends the name of an implementation's inference twin.
const twinSuffix = "_I"

// inferenceTwin returns the twin of a generic function declaration src
// whose type parameters include ones constrained to a core type only
// (S ~[]E, M ~map[K]V), and true: the same function named with
// twinSuffix, without those type parameters, each use of one written as
// its core type. Every type parameter of the twin occurs in its
// parameters' types, where yaegi infers it. It returns false when src has
// no such type parameter.
func inferenceTwin(src string) (string, bool) {
	toks := twinTokens(src)
	// func Name [ params ] ...
	if len(toks) < 4 || toks[0].tok != token.FUNC || toks[1].tok != token.IDENT || toks[2].tok != token.LBRACK {
		return "", false
	}
	closing := closingBracket(toks, 2)
	if closing < 0 {
		return "", false
	}
	core := map[string]string{}
	var kept []string
	for _, p := range typeParams(src, toks, closing) {
		if t, ok := strings.CutPrefix(p.constraint, "~"); ok && (strings.HasPrefix(t, "[]") || strings.HasPrefix(t, "map[")) {
			core[p.name] = t
			continue
		}
		kept = append(kept, p.name+" "+p.constraint)
	}
	if len(core) == 0 {
		return "", false
	}
	var b strings.Builder
	b.WriteString("func " + toks[1].lit + twinSuffix + "[" + strings.Join(kept, ", ") + "]")
	at := toks[closing].end
	for _, t := range toks[closing+1:] {
		if c, ok := core[t.lit]; ok && t.tok == token.IDENT {
			b.WriteString(src[at:t.off] + c)
			at = t.end
		}
	}
	b.WriteString(src[at:])
	return b.String(), true
}

// twinToken is a token of a declaration and where it is.
type twinToken struct {
	off, end int
	tok      token.Token
	lit      string
}

// twinTokens scans src, leaving out the semicolons of line ends.
func twinTokens(src string) []twinToken {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	var sc scanner.Scanner
	sc.Init(file, []byte(src), nil, 0)
	var toks []twinToken
	for {
		pos, t, lit := sc.Scan()
		if t == token.EOF {
			break
		}
		if t == token.SEMICOLON && lit == "\n" {
			continue
		}
		off := file.Offset(pos)
		end := off + len(lit)
		if lit == "" {
			end = off + len(t.String())
		}
		toks = append(toks, twinToken{off, end, t, lit})
	}
	return toks
}

// closingBracket returns the index of the bracket that closes the one at
// toks[open], or -1.
func closingBracket(toks []twinToken, open int) int {
	depth := 0
	for k := open; k < len(toks); k++ {
		switch toks[k].tok {
		case token.LBRACK, token.LPAREN, token.LBRACE:
			depth++
		case token.RBRACK, token.RPAREN, token.RBRACE:
			if depth--; depth == 0 {
				return k
			}
		}
	}
	return -1
}

// typeParam is a type parameter and its constraint's source.
type typeParam struct{ name, constraint string }

// typeParams returns the type parameter list that ends at toks[closing]
// and starts at toks[3] (after func Name [) as (name, constraint) pairs: a
// name without a constraint shares the next one's (E1, E2 any).
func typeParams(src string, toks []twinToken, closing int) []typeParam {
	var params []typeParam
	start := 3
	depth := 0
	for k := 3; k <= closing; k++ {
		switch toks[k].tok {
		case token.LBRACK, token.LPAREN, token.LBRACE:
			depth++
			continue
		case token.RBRACK, token.RPAREN, token.RBRACE:
			if k < closing {
				depth--
				continue
			}
		case token.COMMA:
			if depth > 0 {
				continue
			}
		default:
			continue
		}
		item := toks[start:k]
		c := ""
		if len(item) > 1 {
			c = src[item[1].off:item[len(item)-1].end]
		}
		params = append(params, typeParam{item[0].lit, c})
		start = k + 1
	}
	for k := len(params) - 2; k >= 0; k-- {
		if params[k].constraint == "" {
			params[k].constraint = params[k+1].constraint
		}
	}
	return params
}
