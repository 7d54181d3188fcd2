package change

import (
	"slices"
	"strings"
	"testing"
)

// TestRewriteDotImport checks that the names a dot import brings in (the
// fixture integration/testdata/fidelity/lang/dotimport.go's, of time) are
// written qualified by an import of their own, in signatures and bodies.
func TestRewriteDotImport(t *testing.T) {
	src := fixtureSource("dotimport.go")
	prog, file := loadProgram(t, src)
	ch, err := prog.rewriteChange(file, []byte(src), []string{"example.com/wa.Minutes", "example.com/wa.DayOf"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"Minutes": {"func Minutes(n int) (lpDot_time.Duration, bool) {", "d := lpDot_time.Duration(n) * lpDot_time.Minute", "return d, d > lpDot_time.Hour"},
		"DayOf":   {"func DayOf(year int, month lpDot_time.Month, day int) int {", "lpDot_time.Date(year, month, day, 0, 0, 0, 0, lpDot_time.UTC).Day()"},
	} {
		rep := ch.Funcs["example.com/wa."+name]
		for _, w := range want {
			if !strings.Contains(rep.Source, w) {
				t.Errorf("%s: rewritten source lacks %q:\n%s", name, w, rep.Source)
			}
		}
		if !slices.Contains(rep.Imports, `lpDot_time "time"`) {
			t.Errorf("%s: imports %q lack lpDot_time", name, rep.Imports)
		}
	}
}
