// Package xonly_test is a package of external tests only, with no Go file
// of its own package (participle's lexer/internal/conformance): its test
// binary has no package under test to start the agent from.
package xonly_test

import (
	"testing"

	"example.com/basic/held"
)

func TestQuarter(t *testing.T) {
	if got := held.Half(held.Half(8)); got != 2 {
		t.Fatalf("Half(Half(8)) = %d, want 2", got)
	}
}
