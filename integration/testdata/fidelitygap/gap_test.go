package fidelitygap

import "testing"

func TestSwap(t *testing.T) {
	if got := Swap("aa"); got != "bb" {
		t.Errorf("Swap: got %q, want bb", got)
	}
}
