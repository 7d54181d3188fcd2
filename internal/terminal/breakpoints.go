package terminal

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/google/go-dap"
)

// breakpoint is a breakpoint the user set, numbered by the client as dlv
// numbers them.
type breakpoint struct {
	id    int    // the user's number
	dapID int    // the server's id, 0 when it gave none
	file  string // absolute path of a line breakpoint
	line  int    // requested line of a line breakpoint
	fn    string // function of a function breakpoint
	cond  string // condition (condition N EXPR), "" for none
	hits  string // hit condition (condition -hitcount N OP COUNT), "" for none
	// Where the server placed it.
	atFile string
	atLine int
	total  int
	perG   map[int]int // hits per goroutine
}

// breakpoints is the user's breakpoints, in the order they were set.
type breakpoints struct {
	next int
	list []*breakpoint
}

// hit counts a hit on one of ids by goroutine g and returns the breakpoint,
// or nil when none of ids is known.
func (b *breakpoints) hit(ids []int, g int) *breakpoint {
	for _, id := range ids {
		for _, bp := range b.list {
			if bp.dapID == id && id != 0 {
				bp.total++
				bp.perG[g]++
				return bp
			}
		}
	}
	return nil
}

// resetHits sets all hit counts to zero.
func (b *breakpoints) resetHits() {
	for _, bp := range b.list {
		bp.total = 0
		bp.perG = map[int]int{}
	}
}

// remove deletes the breakpoint with number id and returns it.
func (b *breakpoints) remove(id int) *breakpoint {
	for i, bp := range b.list {
		if bp.id == id {
			b.list = append(b.list[:i], b.list[i+1:]...)
			return bp
		}
	}
	return nil
}

// inFile returns the line breakpoints of file, in order.
func (b *breakpoints) inFile(file string) []*breakpoint {
	var r []*breakpoint
	for _, bp := range b.list {
		if bp.fn == "" && bp.file == file {
			r = append(r, bp)
		}
	}
	return r
}

// functions returns the function breakpoints, in order.
func (b *breakpoints) functions() []*breakpoint {
	var r []*breakpoint
	for _, bp := range b.list {
		if bp.fn != "" {
			r = append(r, bp)
		}
	}
	return r
}

// cmdBreak sets a breakpoint at a location: file:line, line (in the file of
// the selected frame), a function name, or a function name and a line
// offset (pkg.F:2).
func (s *session) cmdBreak(args string) error {
	if args == "" {
		return errors.New("usage: break <file:line | line | function | function:line>")
	}
	loc, err := s.parseLocation(args)
	if err != nil {
		return err
	}
	s.bps.next++
	bp := &breakpoint{id: s.bps.next, file: loc.file, line: loc.line, fn: loc.fn, perG: map[int]int{}}
	s.bps.list = append(s.bps.list, bp)
	if s.state == stateExited {
		// The server has no process to set it in; restart sends it.
		bp.atFile, bp.atLine = bp.file, bp.line
		s.con.printf("Breakpoint %d will be set at %s when the program restarts\n", bp.id, strings.TrimSpace(args))
		return nil
	}
	if err := s.syncBreakpoints(bp); err != nil {
		s.bps.remove(bp.id)
		s.bps.next--
		s.clearOnServer(bp) // the set without it, in case the server kept it
		return err
	}
	if bp.fn != "" {
		name := bp.fn + "()"
		if strings.Contains(bp.fn, ":") { // a line of it
			name = bp.fn
		}
		s.con.printf("Breakpoint %d set for %s at %s:%d\n", bp.id, name, s.displayPath(bp.atFile), bp.atLine)
	} else {
		s.con.printf("Breakpoint %d set at %s:%d\n", bp.id, s.displayPath(bp.atFile), bp.atLine)
	}
	return nil
}

// syncBreakpoints sends the set of breakpoints that bp belongs to (its file,
// or the function breakpoints) and records where the server placed them. It
// fails when the server could not place bp.
func (s *session) syncBreakpoints(bp *breakpoint) error {
	var (
		set    []*breakpoint
		result []dap.Breakpoint
	)
	if bp.fn != "" {
		set = s.bps.functions()
		resp, err := s.call(functionBreakpointsRequest(set))
		if err != nil {
			return err
		}
		result = resp.(*dap.SetFunctionBreakpointsResponse).Body.Breakpoints
	} else {
		set = s.bps.inFile(bp.file)
		resp, err := s.call(sourceBreakpointsRequest(bp.file, set))
		if err != nil {
			return err
		}
		result = resp.(*dap.SetBreakpointsResponse).Body.Breakpoints
	}
	var failed error
	for i, b := range set {
		if i >= len(result) {
			break
		}
		r := result[i]
		if !r.Verified {
			b.dapID = 0
			if b == bp {
				msg := r.Message
				if msg == "" {
					msg = "breakpoint not verified"
				}
				failed = errors.New(msg)
			}
			continue
		}
		b.dapID = r.Id
		b.atFile, b.atLine = b.file, r.Line
		if r.Source != nil && r.Source.Path != "" {
			b.atFile = r.Source.Path
		}
		if b.atLine == 0 {
			b.atLine = b.line
		}
	}
	return failed
}

// applyMoved applies the breakpoint events the server sent since the last
// command (livepatch's proxy moves a breakpoint with its line when a save
// moves the line): a breakpoint is then at, and is sent again at, the new
// line.
func (s *session) applyMoved() {
	s.mu.Lock()
	moved := s.moved
	s.moved = nil
	s.mu.Unlock()
	for _, m := range moved {
		for _, bp := range s.bps.list {
			if bp.dapID == 0 || bp.dapID != m.Id || bp.fn != "" || m.Line == 0 {
				continue
			}
			bp.line, bp.atLine = m.Line, m.Line
		}
	}
}

// resendBreakpoints sends every breakpoint again, as a DAP client does
// after the initialized event; breakpoints the server cannot place are
// reported and dropped.
func (s *session) resendBreakpoints() {
	sent := map[string]bool{}
	for _, bp := range append([]*breakpoint(nil), s.bps.list...) {
		key := bp.file
		if bp.fn != "" {
			key = "\x00functions"
		}
		if sent[key] {
			continue
		}
		sent[key] = true
		if err := s.syncBreakpoints(bp); err != nil {
			s.con.errorf("breakpoint %d: %v", bp.id, err)
		}
	}
	for _, bp := range append([]*breakpoint(nil), s.bps.list...) {
		if bp.dapID == 0 {
			s.bps.remove(bp.id)
			s.con.errorf("breakpoint %d could not be set", bp.id)
		}
	}
}

// cmdClear deletes one breakpoint by number.
func (s *session) cmdClear(args string) error {
	id, err := strconv.Atoi(strings.TrimSpace(args))
	if err != nil {
		return errors.New("usage: clear <breakpoint number>")
	}
	bp := s.bps.remove(id)
	if bp == nil {
		return fmt.Errorf("no breakpoint %d", id)
	}
	if err := s.clearOnServer(bp); err != nil {
		return err
	}
	s.con.printf("Breakpoint %d cleared at %s:%d\n", bp.id, s.displayPath(bp.atFile), bp.atLine)
	return nil
}

// clearOnServer sends the set bp belonged to, without bp.
func (s *session) clearOnServer(bp *breakpoint) error {
	if bp.fn != "" {
		_, err := s.call(functionBreakpointsRequest(s.bps.functions()))
		return err
	}
	_, err := s.call(sourceBreakpointsRequest(bp.file, s.bps.inFile(bp.file)))
	return err
}

// sourceBreakpointsRequest returns the setBreakpoints request of file's
// breakpoints set.
func sourceBreakpointsRequest(file string, set []*breakpoint) *dap.SetBreakpointsRequest {
	req := &dap.SetBreakpointsRequest{Request: request("setBreakpoints")}
	req.Arguments.Source = dap.Source{Path: file}
	req.Arguments.Breakpoints = []dap.SourceBreakpoint{}
	for _, b := range set {
		req.Arguments.Breakpoints = append(req.Arguments.Breakpoints, dap.SourceBreakpoint{Line: b.line, Condition: b.cond, HitCondition: b.hits})
	}
	return req
}

// functionBreakpointsRequest returns the setFunctionBreakpoints request
// of the function breakpoints set.
func functionBreakpointsRequest(set []*breakpoint) *dap.SetFunctionBreakpointsRequest {
	req := &dap.SetFunctionBreakpointsRequest{Request: request("setFunctionBreakpoints")}
	req.Arguments.Breakpoints = []dap.FunctionBreakpoint{}
	for _, b := range set {
		req.Arguments.Breakpoints = append(req.Arguments.Breakpoints, dap.FunctionBreakpoint{Name: b.fn, Condition: b.cond, HitCondition: b.hits})
	}
	return req
}

// cmdClearAll deletes every breakpoint.
func (s *session) cmdClearAll(args string) error {
	all := s.bps.list
	s.bps.list = nil
	done := map[string]bool{}
	var firstErr error
	for _, bp := range all {
		key := bp.file
		if bp.fn != "" {
			key = "\x00functions"
		}
		if done[key] {
			continue
		}
		done[key] = true
		if err := s.clearOnServer(bp); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	for _, bp := range all {
		s.con.printf("Breakpoint %d cleared at %s:%d\n", bp.id, s.displayPath(bp.atFile), bp.atLine)
	}
	return firstErr
}

// cmdBreakpoints lists the breakpoints.
func (s *session) cmdBreakpoints(args string) error {
	list := append([]*breakpoint(nil), s.bps.list...)
	sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
	if len(list) == 0 {
		s.con.printf("No breakpoints.\n")
	}
	for _, bp := range list {
		what := ""
		if bp.fn != "" {
			what = " for " + bp.fn + "()"
		}
		s.con.printf("Breakpoint %d%s at %s:%d (%d)\n", bp.id, what, s.displayPath(bp.atFile), bp.atLine, bp.total)
		if bp.cond != "" {
			s.con.printf("\tcond %s\n", bp.cond)
		}
		if bp.hits != "" {
			s.con.printf("\tcond -hitcount %s\n", bp.hits)
		}
	}
	return nil
}

// cmdCondition sets, or with -clear removes, the condition of a
// breakpoint, as dlv's condition does: condition N EXPR stops only when
// EXPR is true; condition -hitcount N OP COUNT only when the hit count
// compares so (>, >=, <, <=, ==, != or %).
func (s *session) cmdCondition(args string) error {
	const usage = "usage: condition <n> <expr> | condition -hitcount <n> <op> <count> | condition -clear <n>"
	fields := strings.Fields(args)
	if len(fields) < 2 {
		return errors.New(usage)
	}
	flag := ""
	if strings.HasPrefix(fields[0], "-") {
		flag, fields = fields[0], fields[1:]
	}
	id, err := strconv.Atoi(fields[0])
	if err != nil || (flag != "-clear" && len(fields) < 2) {
		return errors.New(usage)
	}
	var bp *breakpoint
	for _, b := range s.bps.list {
		if b.id == id {
			bp = b
		}
	}
	if bp == nil {
		return fmt.Errorf("no breakpoint %d", id)
	}
	oldCond, oldHits := bp.cond, bp.hits
	switch flag {
	case "":
		_, bp.cond, _ = strings.Cut(strings.TrimSpace(args), " ")
		bp.cond = strings.TrimSpace(bp.cond)
	case "-hitcount":
		if len(fields) != 3 || !slices.Contains([]string{">", ">=", "<", "<=", "==", "!=", "%"}, fields[1]) {
			return errors.New(usage)
		}
		if _, err := strconv.Atoi(fields[2]); err != nil {
			return errors.New(usage)
		}
		bp.hits = fields[1] + " " + fields[2]
	case "-clear":
		bp.cond, bp.hits = "", ""
	default:
		return errors.New(usage)
	}
	if s.state == stateExited {
		return nil // restart sends it
	}
	if err := s.syncBreakpoints(bp); err != nil {
		bp.cond, bp.hits = oldCond, oldHits
		s.syncBreakpoints(bp)
		return err
	}
	return nil
}
