package diag

import (
	"go/token"
	"testing"
)

// TestDiagnosticString checks the text of each form of position and of
// the advice each kind of refusal adds.
func TestDiagnosticString(t *testing.T) {
	for _, tt := range []struct {
		d    Diagnostic
		want string
	}{
		{Diagnostic{Pos: token.Position{Filename: "a.go", Line: 3, Column: 9}, Kind: Type, Msg: "undefined: min"}, "a.go:3:9: undefined: min"},
		{Diagnostic{Pos: token.Position{Line: 1, Column: 1}, Kind: Syntax, Msg: "nothing to evaluate"}, "1:1: nothing to evaluate"},
		{Diagnostic{Pos: token.Position{Filename: "a.go"}, Kind: RefusedRestart, Msg: "generic function F: the file changed since the build"}, "a.go: generic function F: the file changed since the build: restart to apply"},
		{Diagnostic{Kind: RefusedInterpreter, Msg: "x has type T"}, "x has type T"},
		{Diagnostic{Pos: token.Position{Filename: "a.go", Line: 2, Column: 7}, Kind: RefusedUnpatched, Msg: "constant k changed and compiled code reads it (f)"}, "a.go:2:7: constant k changed and compiled code reads it (f): edit those functions too, or restart to apply"},
	} {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	ds := Diagnostics{{Msg: "a"}, {Msg: "b"}}
	if got := ds.Error(); got != "a\nb" {
		t.Errorf("Error: got %q, want %q", got, "a\nb")
	}
}
