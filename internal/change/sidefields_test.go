package change

import (
	"errors"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/change/diag"
)

// TestPlanFields checks the field changes of a struct type that compiled
// code uses: an added field goes live, reached through the agent's side
// table from a pointer, and is refused where patched code copies a value
// of the type or reads the field from one; a removed field goes live when
// every compiled user is patched, and is refused naming the others; a
// retyped field is refused. A function's own variable (a parameter, a
// local) keeps its address, and its added fields are reached from it.
func TestPlanFields(t *testing.T) {
	k, dir := planChecker(t)
	hits := func(from, to string) []byte {
		src := edit(t, "s.go", "\told string\n", "\told string\n\thits int\n")
		if !strings.Contains(string(src), from) {
			t.Fatalf("s.go has no %q", from)
		}
		return []byte(strings.Replace(string(src), from, to, 1))
	}
	const side = `(*lp_side.Field(s, "hits int", func() any { return new(int) }).(*int))`
	for _, tc := range []struct {
		name, src, apply, err string
		want                  []string // in the patch of the first applied function
	}{
		{"added, used at once", string(hits("s.n++; return s.n", "s.hits++; return s.hits")), "(*S).Hit", "",
			[]string{side + "++; return " + side}},
		{"added, address taken", string(hits("s.n++; return s.n", "p := &s.hits; *p += 2; return s.hits")), "(*S).Hit", "",
			[]string{"p := lp_side.Field(s, \"hits int\", func() any { return new(int) }).(*int);"}},
		{"added, a literal without it", string(hits("return S{n: s.n}", "return S{n: s.n + 1}")), "Twin", "", nil},
		{"added, set by a literal", string(hits("s.n++; return s.n", "p := &S{n: s.n, hits: 3}; return p.hits")), "(*S).Hit", "",
			[]string{"func() *S { lpV := new(S); (*lpField_S_n(lpV)) = ((*lpField_S_n(s))); (*lp_side.Field(lpV, \"hits int\", func() any { return new(int) }).(*int)) = (3); return lpV }()"}},
		{"added, a copy", string(hits("return S{n: s.n}", "return *&S{n: s.n}")), "", "s.go:13:28: a value of S is copied or assigned whole here", nil},
		{"added, of a new type", strings.Replace(string(hits("s.n++; return s.n", "s.lv.n++; return s.lv.n")), "\thits int\n", "\tlv   *level\n", 1) + "\ntype level struct{ n int }\n", "(*S).Hit", "",
			[]string{`(*lp_side.Field(s, "lv *example.com/p.level; level struct{n int}", func() any { return new(*level) }).(**level)).n++`}},
		{"added, of a new type over a basic type", strings.Replace(string(hits("s.n++; return s.n", "s.md += \"x\"; return len(s.md)")), "\thits int\n", "\tmd   mode\n", 1) + "\ntype mode string\n", "(*S).Hit", "",
			[]string{`(*(*mode)(lp_side.Field(s, "md example.com/p.mode; mode string", func() any { return new(string) }).(*string))) += "x"`}},
		{"added, copied", string(hits("return S{n: s.n}", "c := *s; return c")), "", "s.go:13:26: a value of S is copied or assigned whole here", nil},
		{"added, read from a value without an address", string(hits("return S{n: s.n}", "return S{n: Twin(s).hits}")), "", "s.go:13:40: field hits that the change adds to S is read from a value not reached through a pointer", nil},
		{"added, set in a local", string(hits("return S{n: s.n}", "var c S; c.hits = 1; return S{n: s.n + c.hits}")), "Twin", "",
			[]string{`(*lp_side.Field(&c, "hits int", func() any { return new(int) }).(*int)) = 1`}},
		{"added, read from a parameter", string(hits("return S{n: s.n}", "f := func(v S) int { return v.hits }; return S{n: s.n + f(S{n: 1})}")), "Twin", "",
			[]string{`return (*lp_side.Field(&v, "hits int"`}},
		{"added, read from a for clause's variable", string(hits("return S{n: s.n}", "for c := (S{}); c.n < 2; c.n++ { s.n += c.hits }; return S{n: s.n}")), "",
			"s.go:13:62: field hits that the change adds to S is read from a value not reached through a pointer", nil},
		{"removed, compiled user", string(edit(t, "s.go", "\told string\n", "")), "",
			"s.go:3:6: field old removed from S and compiled code uses it (example.com/p.Old): edit those functions too, or restart to apply", nil},
		{"removed with its user's use", strings.Replace(string(edit(t, "s.go", "\told string\n", "")), "return s.old", "return \"\"", 1), "Old", "", nil},
		{"removed with its user", strings.Replace(string(edit(t, "s.go", "\told string\n", "")), "func Old(s *S) string { return s.old }\n", "", 1), "", "", nil},
		{"retyped", string(edit(t, "s.go", "\tn   int\n", "\tn   int64\n")), "", "s.go:4:2: type of field n of S changed: restart to apply", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := planSave(t, k, dir, "s.go", map[string][]byte{"s.go": []byte(tc.src)})
			if tc.err != "" {
				var ds diag.Diagnostics
				if !errors.As(err, &ds) || !strings.HasPrefix(ds[0].String(), tc.err) {
					t.Fatalf("got %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := applied(pl); got != tc.apply {
				t.Errorf("applied %q, want %q", got, tc.apply)
			}
			for _, w := range tc.want {
				if len(pl.Apply) == 0 {
					t.Fatal("nothing applied")
				}
				if src := pl.Apply[0].Patch.Source; !strings.Contains(src, w) {
					t.Errorf("patch has no %q:\n%s", w, src)
				}
			}
		})
	}
}
