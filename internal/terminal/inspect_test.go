package terminal

import (
	"testing"
)

func TestParamNames(t *testing.T) {
	got := paramNames("testdata/counter/main.go", 15)
	for _, n := range []string{"c", "by"} {
		if !got[n] {
			t.Errorf("paramNames at main.go:15 = %v, want %s among them", got, n)
		}
	}
	if got := paramNames("testdata/counter/main.go", 26); len(got) != 0 {
		t.Errorf("paramNames in main = %v, want none", got)
	}
}
