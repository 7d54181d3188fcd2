package change

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/target/agent"
)

// TestPlanVars checks the package variables of a save: a new one goes
// live with the functions that use it, initialized in Go's order; a
// changed initializer keeps the value, with a note that says how to set
// it; a changed type, or a variable of a type the change declares, is
// refused; a blank variable is checked with the package.
func TestPlanVars(t *testing.T) {
	k, dir := planChecker(t)
	for _, tc := range []struct {
		name, to         string
		apply, err, note string
		vars             string // the Vars of the applied patches: names:types:spec;...
	}{
		{"new, used at once", "var hits = map[string]int{\"a\": 1}\n\nfunc H(_ int) int { return hits[\"a\"] }", "H", "", "",
			"hits:map[string]int:hits = map[string]int{\"a\": 1}"},
		{"new, in Go's order", "var b2 = a2 + limit\n\nvar a2, _ = g(1), 0\n\nfunc H(_ int) int { return b2 }", "H", "", "",
			"a2,_:int,:a2, _ = (g(1)), 0;b2:int:b2 = (*lpAddr_a2) + (*lpAddr_limit)"},
		{"new, of another package's type", "var sb = new(strings.Builder)\n\nfunc H(_ int) int { return sb.Len() }", "H", "", "",
			"sb:*strings.Builder:sb = new(strings.Builder)"},
		{"new, unused", "var unused = 1", "", "", "", ""},
		{"initializer changed", "var limit = 20", "", "",
			"b.go:7:5: limit keeps its value: its initializer ran once, at start-up; to set it now, evaluate: limit = 20", ""},
		{"type changed", "var limit int64 = 10", "", "b.go:7:5: type of variable limit changed (int to int64): restart to apply", "", ""},
		{"of a new type", "type box struct{ n int }\n\nvar b = box{}\n\nfunc H(_ int) int { return b.n }", "", "b.go:7:5: new variable b has type box, which this change declares: restart to apply", "", ""},
		{"blank assertion", "var _ interface{ M() } = (*T)(nil)\n\ntype T struct{}\n\nfunc (*T) M() {}\n\nvar limit = 10", "", "", "", ""},
		{"blank assertion fails", "var _ interface{ N() } = limit\n\nvar limit = 10", "", "b.go:7:26: cannot use limit (variable of type int) as interface{N()} value in variable declaration: int does not implement interface{N()} (missing method N)", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := "var limit = 10"
			if strings.Contains(tc.to, "func H") {
				from = "func H(_ int) int { return 2 }\n\n" + from
			}
			b := []byte(strings.Replace(planFiles["b.go"], from, tc.to, 1))
			if strings.Contains(tc.to, "strings.") {
				b = []byte(strings.Replace(string(b), "package p\n", "package p\n\nimport \"strings\"\n", 1))
			}
			if !strings.Contains(tc.to, "var limit") {
				b = append(b, "\nvar limit = 10\n"...)
			}
			pl, err := planSave(t, k, dir, "b.go", map[string][]byte{"b.go": b})
			if !checkPlan(t, pl, err, tc.err, tc.apply, tc.note) {
				return
			}
			var vars []string
			if len(pl.Apply) > 0 {
				for _, v := range pl.Apply[0].Patch.Vars {
					vars = append(vars, strings.Join(v.Names, ",")+":"+strings.Join(v.Types, ",")+":"+v.Spec)
				}
			}
			if got := strings.Join(vars, ";"); got != tc.vars {
				t.Errorf("vars %q, want %q", got, tc.vars)
			}
		})
	}
}

// TestPlanLiveVars checks a later save of a variable that a save made
// live: declared as before, it is left alone (no second initialization);
// with another initializer it keeps its value, with a note; with another
// type it is refused.
func TestPlanLiveVars(t *testing.T) {
	k, dir := planChecker(t)
	file := filepath.Join(dir, "b.go")
	save := func(decl string, live map[string]LiveVar) (*Plan, error) {
		src := strings.Replace(planFiles["b.go"], "return 2", "return len(hits)", 1) + decl + "\n"
		return k.PlanSave(context.Background(), Save{File: file, Files: map[string][]byte{file: []byte(src)}, Vars: live})
	}
	pl, err := save("var hits = map[string]int{}", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Vars) != 1 || pl.Vars[0].Key != "example.com/p.hits" || pl.Vars[0].Type != "map[string]int" {
		t.Fatalf("first save: vars %+v, want hits of type map[string]int", pl.Vars)
	}
	live := map[string]LiveVar{pl.Vars[0].Key: pl.Vars[0].LiveVar}
	if pl, err = save("var hits = map[string]int{}", live); err != nil || len(pl.Vars) != 0 || len(pl.Apply[0].Patch.Vars) != 0 {
		t.Fatalf("same declaration: got %v, %+v, want no variable to make", err, pl)
	}
	pl, err = save("var hits = map[string]int{\"a\": 1}", live)
	if err != nil || len(pl.Vars) != 0 {
		t.Fatalf("changed initializer: got %v, %+v", err, pl)
	}
	want := "b.go:10:5: hits keeps its value: its initializer ran once, when a save made it live; to set it now, evaluate: hits = map[string]int{\"a\": 1}"
	if got := strings.Join(pl.Notes.Strings(), "\n"); got != want {
		t.Errorf("changed initializer: notes %q, want %q", got, want)
	}
	_, err = save("var hits = map[string]int64{}", live)
	var ds diag.Diagnostics
	if want := "b.go:10:5: type of variable hits changed (map[string]int to map[string]int64): restart to apply"; !errors.As(err, &ds) || ds[0].String() != want {
		t.Errorf("changed type: got %v, want %q", err, want)
	}
}

// TestVarAddrPrefix checks that the agent names the address of a new
// variable as the builder names a compiled one's, which the rewriter uses
// for both.
func TestVarAddrPrefix(t *testing.T) {
	if agent.VarAddrPrefix != patcher.VarAddrPrefix {
		t.Errorf("agent.VarAddrPrefix %q, patcher.VarAddrPrefix %q", agent.VarAddrPrefix, patcher.VarAddrPrefix)
	}
}

// TestPlanRemovedVar removes compiled variables: one nothing uses stays in
// the program, unused, with a note; one that compiled code left unpatched
// uses is refused, unless the save patches or removes that code too.
func TestPlanRemovedVar(t *testing.T) {
	k, dir := planChecker(t)
	unused := edit(t, "b.go", "\n\nvar spareLimit = 1", "")
	pl, err := planSave(t, k, dir, "b.go", map[string][]byte{"b.go": unused})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(pl.Notes.Strings(), "\n"), "b.go:1:9: variable spareLimit removed: the compiled variable stays in the program, unused"; got != want {
		t.Errorf("unused: notes %q, want %q", got, want)
	}
	used := edit(t, "b.go", "\n\nvar limit = 10", "")
	_, err = planSave(t, k, dir, "b.go", map[string][]byte{"b.go": used})
	var ds diag.Diagnostics
	if want := "b.go:1:9: variable limit removed and compiled code uses it (example.com/p.Limit): edit those functions too, or restart to apply"; !errors.As(err, &ds) || ds[0].String() != want {
		t.Errorf("used: got %v, want %q", err, want)
	}
	userToo := edit(t, "a.go", "return limit", "return 3")
	pl, err = planSave(t, k, dir, "b.go", map[string][]byte{"b.go": used, "a.go": userToo})
	if err != nil {
		t.Fatalf("with its user: %v", err)
	}
	if got := applied(pl); got != "Limit" {
		t.Errorf("with its user: applied %q, want Limit", got)
	}
	userGone := edit(t, "a.go", "func Limit() int { return limit }", "")
	pl, err = planSave(t, k, dir, "b.go", map[string][]byte{"b.go": used, "a.go": userGone})
	if err != nil {
		t.Fatalf("with its user removed: %v", err)
	}
	if got, want := strings.Join(pl.Notes.Strings(), "\n"), "b.go:1:9: variable limit removed: the compiled variable stays in the program, unused"; !strings.Contains(got, want) {
		t.Errorf("with its user removed: notes %q, want %q", got, want)
	}
}
