package livepatch

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/debugger"
)

// A frame of a function whose patch runs interpreted is the compiled
// function's, in the dispatch prologue that called the interpreter, at
// its declaration's line. At a stop, the line its interpreted code runs
// is read from the program: yaegi's run loop (interp.runCfg, the nearest
// frame above the compiled one) holds the closure of the step it runs
// in a local, exec; the node of the function's control flow graph whose
// closure that is, found from the loop's first node n along the graph's
// edges, has the position in the source the agent compiled, which the
// agent's table (target/agent/interplines.go) turns into a line of the
// file as saved with the patch. Only stops whose stack has interpreted
// code pay for it: a few memory reads per node of the function.

const (
	runCfgFunc = yaegiPath + "interp.runCfg"
	interpVar  = `"` + agentPath + `agent".interpLines.table`
	maxNodes   = 1 << 14 // of one function's graph, walked at most
)

// interpretedLines gives the frames of interpreted patches among frames,
// Delve's from frame 0 of goroutine goid of the stopped d, the line of
// the file as last seen that their code runs, and reports which it gave
// one.
func (st *session) interpretedLines(d *debugger.Debugger, goid int64, frames []map[string]any, names []string, hidden []bool) []bool {
	placed := make([]bool, len(frames))
	patches := st.interpretedFrames(names, hidden)
	if patches == nil {
		return placed
	}
	lines := readRunningLines(d, goid, names, patches, st.m.log)
	for i, line := range lines {
		if line > 0 {
			st.mu.Lock()
			cur := st.patchLineToCurrent(patches[i], line)
			st.mu.Unlock()
			frames[i]["line"] = json.Number(strconv.Itoa(cur))
			placed[i] = true
		}
	}
	return placed
}

// readRunningLines returns, for each frame that patches gives a patch,
// the line of the file as saved with the patch that its interpreted code
// runs (0: not known). It holds the target's lock, which the session's
// mu is never taken under (positionsOf asks Delve for the process).
func readRunningLines(d *debugger.Debugger, goid int64, names []string, patches []*Patch, log *slog.Logger) []int {
	tg, unlock := d.LockTargetGroup()
	defer unlock()
	t := tg.Selected
	lines := make([]int, len(patches))
	var table []int64
	for i, p := range patches {
		j := i - 1
		for p != nil && j >= 0 && names[j] != runCfgFunc {
			j--
		}
		if p == nil || j < 0 {
			continue
		}
		pos, err := runningPos(t, goid, j)
		if err == nil && table == nil {
			table, err = readInterpLines(t, goid)
		}
		if err != nil {
			log.Debug("line of interpreted code", "func", p.Name, "err", err)
			continue
		}
		lines[i] = lineOfPos(table, pos)
	}
	return lines
}

// interpretedFrames returns the live interpreted patch that each frame,
// under a frame of the machinery, is the compiled function of, or nil
// when there is none.
func (st *session) interpretedFrames(names []string, hidden []bool) []*Patch {
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []*Patch
	for i := 1; i < len(names); i++ {
		if hidden[i] || !hidden[i-1] {
			continue
		}
		for _, p := range st.live {
			if p.Tier != TierNative && (names[i] == p.Key || names[i] == p.Name) {
				if out == nil {
					out = make([]*Patch, len(names))
				}
				out[i] = p
			}
		}
	}
	return out
}

// patchLineToCurrent returns the line of the file as last seen that line
// n of the file as saved with p, an interpreted patch, is: as far below
// the function's current declaration as below p's. The caller holds mu.
func (st *session) patchLineToCurrent(p *Patch, n int) int {
	if d := st.currentDecl(p.File, p.Key); d != nil && p.Line > 0 {
		return d.Line + n - p.Line
	}
	return n
}

// runningPos returns the position, in the interpreter's file set, of the
// node whose step yaegi's run loop in frame j of goroutine goid runs.
func runningPos(t *proc.Target, goid int64, j int) (int64, error) {
	scope, err := proc.ConvertEvalScope(t, goid, j, 0)
	if err != nil {
		return 0, err
	}
	// runCfg declares exec twice, in the function and in its loop, and
	// Delve may read either: the closures of both are looked for.
	execs, err := scope.Locals(0, "exec")
	if err != nil {
		return 0, err
	}
	nv, err := scope.EvalExpression("n", proc.LoadConfig{})
	if err != nil {
		return 0, err
	}
	mem := t.Memory()
	cur := map[uint64]bool{}
	for _, ev := range execs {
		if c, err := readWord(mem, ev.Addr); err == nil && c != 0 {
			cur[c] = true
		}
	}
	if len(cur) == 0 {
		// In the loop's condition, Delve sees the function's exec only;
		// the loop's, declared on the condition's line, holds the step to
		// run next. 2 is Delve's localsNoDeclLineCheck: every variable of
		// the function, seen or not.
		all, err := scope.Locals(2, "exec")
		if err != nil {
			return 0, err
		}
		for _, ev := range all {
			if c, err := readWord(mem, ev.Addr); err == nil && c != 0 && int(ev.DeclLine) == scope.Line {
				cur[c] = true
			}
		}
	}
	start, err := readWord(mem, nv.Addr)
	if err != nil {
		return 0, err
	}
	ptr, ok := godwarf.ResolveTypedef(nv.RealType).(*godwarf.PtrType)
	if !ok {
		return 0, fmt.Errorf("n is a %s", nv.RealType)
	}
	node, ok := godwarf.ResolveTypedef(ptr.Type).(*godwarf.StructType)
	if !ok {
		return 0, fmt.Errorf("*n is a %s", ptr.Type)
	}
	return findNode(mem, node, start, cur)
}

// findNode walks the control flow graph of yaegi's nodes (of type node)
// from start along its tnext and fnext edges, and returns the position
// of the node whose exec closure is in cur.
func findNode(mem proc.MemoryReadWriter, node *godwarf.StructType, start uint64, cur map[uint64]bool) (int64, error) {
	off := map[string]int64{}
	for _, f := range node.Field {
		off[f.Name] = f.ByteOffset
	}
	for _, name := range []string{"tnext", "fnext", "exec", "pos"} {
		if _, ok := off[name]; !ok {
			return 0, fmt.Errorf("yaegi's node has no field %s", name)
		}
	}
	buf := make([]byte, node.ByteSize)
	seen := map[uint64]bool{}
	codes := map[uint64]bool{} // of the closures in cur
	for c := range cur {
		if code, err := readWord(mem, c); err == nil {
			codes[code] = true
		}
	}
	sameCode := map[int64]bool{} // positions of the nodes whose closures run cur's code
	queue := []uint64{start}
	for len(queue) > 0 && len(seen) < maxNodes {
		addr := queue[0]
		queue = queue[1:]
		if addr == 0 || seen[addr] {
			continue
		}
		seen[addr] = true
		if _, err := mem.ReadMemory(buf, addr); err != nil {
			return 0, err
		}
		word := func(name string) uint64 { return binary.LittleEndian.Uint64(buf[off[name]:]) }
		if exec := word("exec"); cur[exec] {
			return int64(word("pos")), nil
		} else if code, err := readWord(mem, exec); exec != 0 && err == nil && codes[code] {
			sameCode[int64(word("pos"))] = true
		}
		queue = append(queue, word("tnext"), word("fnext"))
	}
	// The closure may be one made after the node's (yaegi replaces some
	// when it links the graph): one node running its code is it.
	if len(sameCode) == 1 {
		for pos := range sameCode {
			return pos, nil
		}
	}
	return 0, fmt.Errorf("the running step (%d closures) is in none of the %d nodes from %#x (%d run its code)", len(cur), len(seen), start, len(sameCode))
}

// readInterpLines reads the agent's table of the lines of the sources it
// compiled.
func readInterpLines(t *proc.Target, goid int64) ([]int64, error) {
	scope, err := proc.ConvertEvalScope(t, goid, 0, 0)
	if err != nil {
		return nil, err
	}
	v, err := scope.EvalExpression(interpVar, proc.LoadConfig{})
	if err != nil {
		return nil, err
	}
	mem := t.Memory()
	base, err := readWord(mem, v.Addr)
	if err != nil {
		return nil, err
	}
	n, err := readWord(mem, v.Addr+8)
	if err != nil || n > 1<<24 {
		return nil, fmt.Errorf("the agent's table of lines: length %d: %v", n, err)
	}
	buf := make([]byte, 8*n)
	if _, err := mem.ReadMemory(buf, base); err != nil {
		return nil, err
	}
	table := make([]int64, n)
	for i := range table {
		table[i] = int64(binary.LittleEndian.Uint64(buf[8*i:]))
	}
	return table, nil
}

// lineOfPos returns the line of the saved file that position pos is, as
// the agent's table says (records of base, size, line offset, count of
// lines and the lines' start offsets), 0 when no record holds it.
func lineOfPos(table []int64, pos int64) int {
	for k := 0; k+4 <= len(table); {
		base, size, delta, n := table[k], table[k+1], table[k+2], table[k+3]
		starts := k + 4
		if n < 0 || starts+int(n) > len(table) {
			return 0
		}
		if base <= pos && pos <= base+size && n > 0 {
			line := 0
			for line < int(n) && table[starts+line] <= pos-base {
				line++
			}
			return line + int(delta)
		}
		k = starts + int(n)
	}
	return 0
}

// readWord reads the 8 bytes at addr.
func readWord(mem proc.MemoryReadWriter, addr uint64) (uint64, error) {
	var b [8]byte
	if _, err := mem.ReadMemory(b[:], addr); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}
