// Package fidelitygap holds a function that the interpreter still runs
// differently from compiled Go: it calls a method through an unexported
// field of an unnamed struct type, which yaegi reaches through reflect and
// reflect refuses. The integration tests check that livepatch test reports
// it as a regression.
package fidelitygap

import "strings"

var table = []struct{ r *strings.Replacer }{{strings.NewReplacer("a", "b")}}

// Swap replaces a with b through the table.
func Swap(s string) string { return table[0].r.Replace(s) }
