package main

import "testing"

func TestAdd(t *testing.T) {
	var tl tally
	tl.add(2)
	if got := tl.add(3); got != 5 {
		t.Errorf("add: got %d, want 5", got)
	}
}
