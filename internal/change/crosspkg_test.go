package change

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestMissingMember checks that the type error of a selection of a member
// that another package's type lacks names that package (by name or by
// quoted import path, as go/types writes it when two packages share a
// name), the type and the member, and that memberDeclaredIn finds a method
// or a field of the type on disk.
func TestMissingMember(t *testing.T) {
	for msg, want := range map[string][]string{
		`c.allowedHeaders.Accepts undefined (type "github.com/rs/cors/internal".SortedSet has no field or method Accepts)`: {"github.com/rs/cors/internal", "", "SortedSet", "Accepts"},
		`counter.Twice undefined (type *sub.Counter has no field or method Twice, but does have method twice)`:             {"", "sub", "Counter", "Twice"},
	} {
		m := missingMemberRE.FindStringSubmatch(msg)
		if m == nil || !slices.Equal(m[1:], want) {
			t.Errorf("%s: got %q, want %q", msg, m, want)
		}
	}
	dir := t.TempDir()
	src := "package sub\n\ntype Counter struct{ n int; Limit int }\n\nfunc (c *Counter) Twice() int { return 2 * c.n }\n\nfunc Twice() {}\n"
	if err := os.WriteFile(filepath.Join(dir, "sub.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		typ, member string
		want        bool
	}{{"Counter", "Twice", true}, {"Counter", "Limit", true}, {"Counter", "Other", false}, {"Other", "Twice", false}} {
		if got := memberDeclaredIn(dir, tc.typ, tc.member); got != tc.want {
			t.Errorf("memberDeclaredIn(%s, %s) = %v, want %v", tc.typ, tc.member, got, tc.want)
		}
	}
}
