package change

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanNativeOnly plans a save whose new helper imports a package the
// program does not link: refused with the native tier's reason when the
// tier cannot take it, planned native only when it can.
func TestPlanNativeOnly(t *testing.T) {
	k, dir := planChecker(t)
	src := edit(t, "a.go", `import "strings"`, "import (\n\t\"hash/crc32\"\n\t\"strings\"\n)")
	src = []byte(strings.Replace(string(src), "func g(x int) int { return x + 1 }",
		"func g(x int) int { return x + int(sum(\"a\")%1) + 1 }\n\nfunc sum(s string) uint32 { return crc32.ChecksumIEEE([]byte(s)) }", 1))
	plan := func(nat NativeMode) (*Plan, error) {
		file := filepath.Join(dir, "a.go")
		return k.PlanSave(context.Background(), Save{File: file, Files: map[string][]byte{file: src}, Native: nat})
	}
	_, err := plan(NativeMode{Off: "the native tier is off"})
	if err == nil || !strings.Contains(err.Error(), "package hash/crc32 is not linked into this program: the native tier is off") {
		t.Errorf("tier off: got %v, want the refusal with the tier's reason", err)
	}
	pl, err := plan(NativeMode{On: true})
	if err != nil {
		t.Fatalf("tier on: %v", err)
	}
	if want := "it imports hash/crc32, which the program does not link"; pl.NativeOnly != want {
		t.Errorf("NativeOnly = %q, want %q", pl.NativeOnly, want)
	}
	if len(pl.Apply) != 1 || pl.Apply[0].Key != "example.com/p.g" || pl.Apply[0].Checked == nil {
		t.Errorf("Apply = %+v, want g with its checked declaration", pl.Apply)
	}
}

// TestPlanSideFieldNotNativeOnly checks that a field added to a compiled
// struct, which interpreted code reaches through the agent's side table
// (its package lp_side), leaves the change to the interpreter: lp_side is
// the agent's, not a package the program fails to link.
func TestPlanSideFieldNotNativeOnly(t *testing.T) {
	files := map[string]string{"a.go": "package p\n\ntype T struct{ a int }\n\nfunc (t *T) Get() int { return t.a }\n"}
	k, dir := packageChecker(t, files)
	src := strings.Replace(files["a.go"], "struct{ a int }", "struct {\n\ta int\n\tb int\n}", 1)
	src = strings.Replace(src, "return t.a", "return t.a + t.b", 1)
	file := filepath.Join(dir, "a.go")
	pl, err := k.PlanSave(context.Background(), Save{File: file, Files: map[string][]byte{file: []byte(src)}, Native: NativeMode{On: true}})
	if err != nil {
		t.Fatal(err)
	}
	if pl.NativeOnly != "" || len(pl.Apply) != 1 {
		t.Errorf("NativeOnly = %q, Apply = %d functions; want the interpreter to take Get", pl.NativeOnly, len(pl.Apply))
	}
}
