package change

import (
	"strings"
	"testing"
)

// reorderFiles is a package with an exported struct type that an unkeyed
// literal builds.
var reorderFiles = map[string]string{
	"r.go": `package p

type Span struct {
	From int
	To   int
	Name string
}

func Make(a, b int) Span { return Span{a, b, "x"} }

func Width(s *Span) int { return s.To - s.From }
`,
}

// TestPlanReorderedFields checks that a save moving compiled fields among
// themselves goes live with the note of what keeps the compiled order,
// and that the patch gives its unkeyed literal of the type keys, in the
// order saved, so that the compiled layout takes each value in its field.
func TestPlanReorderedFields(t *testing.T) {
	k, dir := packageChecker(t, reorderFiles)
	src := reorderFiles["r.go"]
	src = strings.Replace(src, "\tFrom int\n\tTo   int\n\tName string\n", "\tName string\n\tTo   int\n\tFrom int\n", 1)
	src = strings.Replace(src, `return Span{a, b, "x"}`, `return Span{"y", b, a}`, 1)
	pl, err := planSave(t, k, dir, "r.go", map[string][]byte{"r.go": []byte(src)})
	if !checkPlan(t, pl, err, "", "Make",
		"r.go:4:2: fields of Span reordered: its values keep the compiled order, which only reflection (fmt's %v, encoding/json) and unsafe see, until a restart") {
		return
	}
	if got, want := pl.Apply[0].Patch.Source, `Span{Name: "y", To: b, From: a}`; !strings.Contains(got, want) {
		t.Errorf("patch has no %q:\n%s", want, got)
	}
}
