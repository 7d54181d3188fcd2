package integration

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFollowTerminal stops at a breakpoint through the terminal client,
// saves an edit that adds three lines above it, and continues: the stop,
// list and stack show the lines where the file has them now, the
// caller's too.
func TestFollowTerminal(t *testing.T) {
	dir, main, orig := liveFixture(t)
	ctx, w, out, _ := runTerminal(t, liveProxy(t, 10*time.Second, true),
		map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir})
	tl := &termLog{t: t, ctx: ctx, w: w, out: out}
	wait, do := tl.waitFor, tl.do
	wait(true, "Type 'help' for list of commands.")
	report := lineOf(t, main, "// report here")
	do(fmt.Sprintf("break %s:%d", main, report), "Breakpoint 1 set")
	do("continue", fmt.Sprintf("=>%4d:\t\tfmt.Println(s) // report here", report))

	moved := strings.Replace(string(orig), "\treturn \"hello \" + name\n", "\t// one\n\t// two\n\t// three\n\treturn \"hello \" + name\n", 1)
	moved = strings.Replace(moved, "c.n++", "c.n += 2", 1)
	writeFile(t, main, moved)
	wait(false, "patched main.(*Counter).Inc")
	at := fmt.Sprintf("=>%4d:\t\tfmt.Println(s) // report here", report+3)
	do("continue", at)
	do("list", at)
	do("bp", fmt.Sprintf("Breakpoint 1 at %s:%d", main, report+3))
	do("stack", "in main.report", fmt.Sprintf("%s:%d", filepath.Base(main), report+3),
		"in main.main", fmt.Sprintf("%s:%d", filepath.Base(main), lineOf(t, main, "report(line(c))")))
}
