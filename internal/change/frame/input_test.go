package frame

import (
	"strings"
	"testing"
)

func TestParseInput(t *testing.T) {
	in, err := parseInput("import \"strings\"\nfunc twice(s string) string {\n\treturn s + s\n}")
	if err != nil {
		t.Fatal(err)
	}
	if !in.decls || len(in.imports) != 1 || in.imports[0].Path != "strings" {
		t.Errorf("declarations: got decls=%v imports=%v", in.decls, in.imports)
	}
	if len(in.host) != len(in.src) || !strings.Contains(in.host, "\ntwice=func(s string) string {") {
		t.Errorf("host text %q does not keep the layout of %q", in.host, in.src)
	}
	if in.forward != "var twice func(s string) string;" {
		t.Errorf("forward: got %q", in.forward)
	}
	in, err = parseInput("var m map[string]int\nm = map[string]int{}\nn := 1")
	if err != nil || in.decls || !in.declares {
		t.Errorf("statements starting with var: got %+v, %v", in, err)
	}
	for _, tt := range []struct{ src, want string }{
		{"x +", "1:4: expected operand"},
		{"a := 1\nb := (a", "2:8: "},
		{"func (", "1:"},
	} {
		_, err := parseInput(tt.src)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("parseInput(%q): got %v, want an error starting %q", tt.src, err, tt.want)
		}
	}
}
