package cli

import (
	"reflect"
	"testing"
)

// TestSplitTestArgs separates go test flags written among livepatch
// test's own flags and packages, as users type them.
func TestSplitTestArgs(t *testing.T) {
	fs, _ := testFlags()
	own, test, err := splitTestArgs(fs, []string{"--repatch=all", "-count=1", "./pkg", "-v", "-run", "TestX", "--json", "-log-output", "repatch", "-test.short", "--", "-timeout=1m"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"--repatch=all", "./pkg", "--json", "-log-output", "repatch"}; !reflect.DeepEqual(own, want) {
		t.Errorf("own: got %q, want %q", own, want)
	}
	if want := []string{"-count=1", "-v", "-run", "TestX", "-test.short", "-timeout=1m"}; !reflect.DeepEqual(test, want) {
		t.Errorf("go test flags: got %q, want %q", test, want)
	}
	if _, _, err := splitTestArgs(fs, []string{"./pkg", "-race"}); err == nil {
		t.Error("-race was taken")
	}
}
