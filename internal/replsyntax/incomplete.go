package replsyntax

import (
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
)

// Incomplete reports whether src, typed at a prompt, needs more lines to
// be Go: a block, a call or a literal is still open, so a line-based prompt
// should read a continuation line instead of sending src. Inputs that start
// with a routing prefix or a Delve command are judged without it.
func Incomplete(src string) bool {
	t := strings.TrimSpace(src)
	t = strings.TrimPrefix(strings.TrimPrefix(t, DelvePrefix), GoPrefix)
	if t == "" || strings.HasPrefix(t, "dlv ") || strings.HasPrefix(t, "call ") {
		return false
	}
	open := 0
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(t)), []byte(t), func(token.Position, string) {}, 0)
	for {
		_, tok, lit := s.Scan()
		switch tok {
		case token.EOF:
			if open > 0 {
				return true
			}
			// A raw string left open is an error the scanner reported;
			// a trailing operator asks for an operand on the next line.
			_, err := parser.ParseExpr(t)
			return err != nil && endsWithOperator(t)
		case token.LBRACE, token.LPAREN, token.LBRACK:
			open++
		case token.RBRACE, token.RPAREN, token.RBRACK:
			open--
		case token.STRING:
			if strings.HasPrefix(lit, "`") && !strings.HasSuffix(lit[1:], "`") {
				return true
			}
		}
	}
}

// endsWithOperator reports whether src ends with a binary operator or a
// comma, after which Go continues on the next line.
func endsWithOperator(src string) bool {
	s := strings.TrimSpace(src)
	for _, op := range []string{"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "&&", "||", "==", "!=", "<", "<=", ">", ">=", ",", "=", ":="} {
		if strings.HasSuffix(s, op) && !strings.HasSuffix(s, "++") && !strings.HasSuffix(s, "--") {
			return true
		}
	}
	return false
}
