package agent

import (
	"go/token"
	"sync"
)

// interpLines lets the host tell which line of a patch's saved file its
// interpreted code runs at a stop: yaegi keeps no record of the node it
// runs (see panicsite.go), but the host reads through the debugger the
// closure that yaegi's run loop holds and the node that owns it, whose
// position is in the source the agent compiled. For each patch compiled,
// interpLines.table holds one record of int64s: the base and size of its
// source in the interpreter's file set, the number to add to a line of
// that source to make it a line of the saved file, the count of lines,
// and the offset of each line's start. The host reads the slice whole
// while the program is stopped (internal/livepatch/interplines.go), so
// it is only ever appended to, under mu; it grows by a few hundred bytes
// per patch.
var interpLines struct {
	mu    sync.Mutex
	table []int64
}

// addInterpLines records the lines of the source that yaegi compiled
// into fset from base on, of a patch whose first line is line of its
// file. yaegi adds more than one file for one source (it reads its build
// tags and first token apart), each in a range of its own, so all are
// recorded: the nodes' positions are in the last. The generated source
// has one line more before the snippet than the snippet has (the
// package clause), hence line-2.
func addInterpLines(fset *token.FileSet, base, line int) {
	if line <= 0 {
		return
	}
	var rec []int64
	fset.Iterate(func(f *token.File) bool {
		if f.Base() >= base {
			lines := f.Lines()
			rec = append(rec, int64(f.Base()), int64(f.Size()), int64(line-2), int64(len(lines)))
			for _, off := range lines {
				rec = append(rec, int64(off))
			}
		}
		return true
	})
	interpLines.mu.Lock()
	interpLines.table = append(interpLines.table, rec...)
	interpLines.mu.Unlock()
}
