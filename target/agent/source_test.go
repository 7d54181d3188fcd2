package agent

import (
	"reflect"
	"testing"
)

func TestParseFuncSource(t *testing.T) {
	tests := []struct {
		src                   string
		params, results, body string
		bodyLine              int
		selectors             []string
	}{
		{src: "func (c *T) M(a, b int) (n int, err error) { return }", params: "c *T, a, b int", results: "(n int, err error)", body: "{ return }", bodyLine: 1},
		{src: "func (*T) M(int) {}", params: "_ *T, _ int", body: "{}", bodyLine: 1},
		{src: "func F(xs ...string) string {\n\treturn strings.Join(xs, sep)\n}", params: "xs ...string", results: "string", body: "{\n\treturn strings.Join(xs, sep)\n}", bodyLine: 1, selectors: []string{"strings"}},
		{src: "// doc\nfunc(\n\tx int,\n) int {\n\treturn fmt.X(x) + y.Z\n}", params: "x int", results: "int", body: "{\n\treturn fmt.X(x) + y.Z\n}", bodyLine: 4, selectors: []string{"fmt", "y"}},
		{src: "func(t T) { t.f() }", params: "t T", body: "{ t.f() }", bodyLine: 1},
	}
	for _, tt := range tests {
		fs, err := parseFuncSource(tt.src)
		if err != nil {
			t.Errorf("parseFuncSource(%q): %v", tt.src, err)
			continue
		}
		if fs.params != tt.params || fs.results != tt.results || fs.body != tt.body || fs.bodyLine != tt.bodyLine || !reflect.DeepEqual(fs.selectors, tt.selectors) {
			t.Errorf("parseFuncSource(%q):\ngot  %q %q %q line %d %q\nwant %q %q %q line %d %q", tt.src,
				fs.params, fs.results, fs.body, fs.bodyLine, fs.selectors,
				tt.params, tt.results, tt.body, tt.bodyLine, tt.selectors)
		}
	}
	for _, bad := range []string{"x := 1", "func F()", "type T int", "func("} {
		if _, err := parseFuncSource(bad); err == nil {
			t.Errorf("parseFuncSource(%q): got no error", bad)
		}
	}
}
