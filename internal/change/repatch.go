package change

import (
	"strings"

	"github.com/livepatch/livepatch/internal/change/classify"
	"github.com/livepatch/livepatch/internal/change/diag"
)

// maxRepatchRounds bounds the plans of one save that take in more
// unchanged functions (unchangedUsers): each round takes at least one.
const maxRepatchRounds = 4

// unchangedUsers returns the functions to patch as they are so that
// refusals, the refusals of a plan pl of the files fcs, go away, with a
// note for each: when every refusal is of a declaration the change
// changes (a constant's value, a variable removed or retyped, a field or
// a type removed) that compiled functions left unpatched use, and every
// such function is declared, unchanged, in a file of the change, is
// patchable, is not generic and holds no prompt patch. A rebuild compiles
// those functions anew against the changed declaration; patching them
// from their text does the same (httprate v0.9.0 turns variable
// incrementKey into a constant that WithIncrement and getIncrement, which
// it leaves alone, read). Otherwise nil: the refusals stand.
func (b *Build) unchangedUsers(refusals diag.Diagnostics, fcs []classify.FileChange, pl classify.Plan, live map[string]classify.Live) ([]*classify.FuncDecl, diag.Diagnostics) {
	taken := map[string]bool{}
	for _, fn := range pl.Apply {
		taken[fn.Key] = true
	}
	var more []*classify.FuncDecl
	var notes diag.Diagnostics
	for _, d := range refusals {
		if d.Kind != diag.RefusedUnpatched || len(d.Unpatched) == 0 {
			return nil, nil
		}
		for _, key := range strings.Fields(d.Unpatched) {
			if taken[key] {
				continue
			}
			fn, fc := declaredBy(fcs, key)
			if fn == nil || fn.Generic || fn.Decl.Body == nil || strings.Contains(key, ".init#") || live[key].Prompt {
				return nil, nil
			}
			if f, ok := b.funcs[key]; !ok || !f.Patchable {
				return nil, nil
			}
			taken[key] = true
			more = append(more, fn)
			notes = append(notes, diag.Diagnostic{Pos: fc.Cur.Position(fn.Decl.Pos()), Func: key, Kind: diag.Note,
				Msg: fn.Name + " is patched as it is: it uses what the change changes (" + what(d.Msg) + "), as a rebuild would compile it anew"})
		}
	}
	return more, notes
}

// declaredBy returns the function key as a file of fcs declares it now,
// with that file; nil when none does.
func declaredBy(fcs []classify.FileChange, key string) (*classify.FuncDecl, classify.FileChange) {
	for _, fc := range fcs {
		if fn := fc.Cur.Funcs[key]; fn != nil {
			return fn, fc
		}
	}
	return nil, classify.FileChange{}
}

// what returns the subject of a refusal's message, the words before
// " and compiled code": "constant incrementKey changed".
func what(msg string) string {
	s, _, _ := strings.Cut(msg, " and compiled code")
	return s
}
