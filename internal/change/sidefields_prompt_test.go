package change_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/change/frame"
)

// TestPromptSideField checks that the prompt reaches a field a live save
// added: read, written and incremented through the side table; a name
// no type has stays an error.
func TestPromptSideField(t *testing.T) {
	k, dir := change.PlanChecker(t)
	src := strings.Replace(change.PlanFiles["s.go"], "\told string\n", "\told string\n\thits int\n", 1)
	if _, err := change.PlanSave(t, k, dir, "s.go", map[string][]byte{"s.go": []byte(src)}); err != nil {
		t.Fatal(err)
	}
	prog := k.Program(context.Background())
	sc, err := frame.At(prog, filepath.Join(dir, "s.go"), 8)
	if err != nil {
		t.Fatal(err)
	}
	const side = `(*lp_side.Field((*lp_frame.s), "hits int", func() any { return new(int) }).(*int))`
	for _, tc := range []struct{ in, want string }{
		{"s.hits", side},
		{"s.hits = 5", side + " = 5"},
		{"s.hits++", side + "++"},
	} {
		in, err := sc.Input(&frame.History{}, tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if !strings.Contains(in.Source, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.in, in.Source, tc.want)
		}
	}
	if _, err := sc.Input(&frame.History{}, "s.misses"); err == nil || !strings.Contains(err.Error(), "no field or method misses") {
		t.Errorf("s.misses: got %v, want an error", err)
	}
}
