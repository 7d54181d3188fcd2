package prompt

import (
	"go/ast"
	"go/parser"
	"go/types"
	"strings"
	"testing"
)

// TestFuncInput checks the host form of declarations: a function literal
// with the receiver as first parameter, with the layout of the input.
func TestFuncInput(t *testing.T) {
	for _, tc := range []struct{ src, params string }{
		{"func (c *Counter) Inc() int { c.n += 2; return c.n }", "(c *Counter)"},
		{"func (c Counter) Add(x, y int) int { return c.n + x + y }", "(c Counter, x, y int)"},
		{"func greet(name string) string {\n\treturn \"hi \" + name\n}", "(name string)"},
		{"func (Counter) Zero() int { return 0 }", "(Counter)"},
	} {
		in, err := funcInput(tc.src)
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		if len(in.host) != len(tc.src) || strings.Count(in.host, "\n") != strings.Count(tc.src, "\n") {
			t.Errorf("%q: host %q does not keep the layout", tc.src, in.host)
		}
		e, err := parser.ParseExpr(in.host)
		if err != nil {
			t.Errorf("%q: host %q: %v", tc.src, in.host, err)
			continue
		}
		lit, ok := e.(*ast.FuncLit)
		if !ok {
			t.Errorf("%q: host %q is not a function literal", tc.src, in.host)
			continue
		}
		var names []string
		for _, f := range lit.Type.Params.List {
			s := types.ExprString(f.Type)
			if len(f.Names) > 0 {
				var ns []string
				for _, n := range f.Names {
					ns = append(ns, n.Name)
				}
				s = strings.Join(ns, ", ") + " " + s
			}
			names = append(names, s)
		}
		if got := "(" + strings.Join(names, ", ") + ")"; got != tc.params {
			t.Errorf("%q: parameters %s, want %s", tc.src, got, tc.params)
		}
	}
	if _, err := funcInput("func (Counter) M(x int) {}"); err == nil || !strings.Contains(err.Error(), "name the receiver") {
		t.Errorf("unnamed receiver with named parameters: got %v", err)
	}
}
