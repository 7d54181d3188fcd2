package terminal

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"

	"github.com/google/go-dap"
)

// stackDepth is how many frames stack shows and frame can select.
const stackDepth = 50

// loadFrames loads the stack of the selected goroutine.
func (s *session) loadFrames() error {
	resp, err := s.call(&dap.StackTraceRequest{Request: request("stackTrace"), Arguments: dap.StackTraceArguments{
		ThreadId: s.thread, Levels: stackDepth,
	}})
	if err != nil {
		return err
	}
	s.frames = resp.(*dap.StackTraceResponse).Body.StackFrames
	if s.frame >= len(s.frames) {
		s.frame = 0
	}
	return nil
}

// selectedFrame returns the selected frame, loading the stack if needed.
func (s *session) selectedFrame() (dap.StackFrame, bool) {
	if s.state != stateStopped {
		return dap.StackFrame{}, false
	}
	if s.frames == nil {
		if err := s.loadFrames(); err != nil {
			return dap.StackFrame{}, false
		}
	}
	if s.frame < len(s.frames) {
		return s.frames[s.frame], true
	}
	return dap.StackFrame{}, false
}

// frameID is the DAP id of the selected frame, 0 when there is none (the
// server then uses the current goroutine's top frame).
func (s *session) frameID() int {
	f, _ := s.selectedFrame()
	return f.Id
}

// evaluate evaluates expr in the selected frame with context "repl".
func (s *session) evaluate(expr string) (string, error) {
	resp, err := s.call(&dap.EvaluateRequest{Request: request("evaluate"), Arguments: dap.EvaluateArguments{
		Expression: expr, FrameId: s.frameID(), Context: "repl",
	}})
	if err != nil {
		return "", err
	}
	return resp.(*dap.EvaluateResponse).Body.Result, nil
}

// cmdPrint evaluates an expression and prints its value.
func (s *session) cmdPrint(args string) error {
	if args == "" {
		return errors.New("usage: print <expression>")
	}
	v, err := s.evaluate(args)
	if err != nil {
		return err
	}
	s.con.printf("%s\n", v)
	return nil
}

// cmdEvaluate sends a line that is not a command to the server's REPL and
// prints the result, if any.
func (s *session) cmdEvaluate(line string) error {
	v, err := s.evaluate(line)
	if err != nil {
		return err
	}
	if v != "" {
		s.con.printf("%s\n", strings.TrimSuffix(v, "\n"))
	}
	return nil
}

// frameVariables returns the variables of the selected frame's first scope
// (Delve puts arguments first, then locals, in one "Locals" scope).
func (s *session) frameVariables() ([]dap.Variable, error) {
	if s.state == stateExited {
		return nil, s.exitedError()
	}
	f, ok := s.selectedFrame()
	if !ok {
		return nil, errors.New("no selected frame")
	}
	resp, err := s.call(&dap.ScopesRequest{Request: request("scopes"), Arguments: dap.ScopesArguments{FrameId: f.Id}})
	if err != nil {
		return nil, err
	}
	scopes := resp.(*dap.ScopesResponse).Body.Scopes
	if len(scopes) == 0 {
		return nil, nil
	}
	vresp, err := s.call(&dap.VariablesRequest{Request: request("variables"), Arguments: dap.VariablesArguments{
		VariablesReference: scopes[0].VariablesReference,
	}})
	if err != nil {
		return nil, err
	}
	return vresp.(*dap.VariablesResponse).Body.Variables, nil
}

// splitArgs splits the variables of the selected frame into arguments and
// locals. DAP does not tell them apart: the arguments are the leading
// variables named like the parameters of the function around the frame's
// line in its source, and result variables (~r0).
func (s *session) splitArgs(vars []dap.Variable) (args, locals []dap.Variable) {
	f, _ := s.selectedFrame()
	var params map[string]bool
	if f.Source != nil {
		params = paramNames(f.Source.Path, f.Line)
	}
	n := 0
	for n < len(vars) && (params[vars[n].Name] || strings.HasPrefix(vars[n].Name, "~")) {
		n++
	}
	return vars[:n], vars[n:]
}

// paramNames returns the names of the receiver, parameters and results of
// the innermost function (declaration or literal) around line of the Go
// file at path, or nil when it cannot tell.
func paramNames(path string, line int) map[string]bool {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var best *ast.FuncType
	var recv *ast.FieldList
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		start, end := fset.Position(n.Pos()).Line, fset.Position(n.End()).Line
		if line < start || line > end {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncDecl:
			best, recv = n.Type, n.Recv
		case *ast.FuncLit:
			best, recv = n.Type, nil
		}
		return true
	})
	if best == nil {
		return nil
	}
	names := map[string]bool{}
	for _, fl := range []*ast.FieldList{recv, best.Params, best.Results} {
		if fl == nil {
			continue
		}
		for _, field := range fl.List {
			for _, id := range field.Names {
				names[id.Name] = true
			}
		}
	}
	return names
}

// printVariables prints variables as "name = value".
func (s *session) printVariables(vars []dap.Variable, none string) {
	if len(vars) == 0 {
		s.con.printf("(%s)\n", none)
	}
	for _, v := range vars {
		s.con.printf("%s = %s\n", v.Name, v.Value)
	}
}

// cmdLocals prints the local variables of the selected frame.
func (s *session) cmdLocals(args string) error {
	vars, err := s.frameVariables()
	if err != nil {
		return err
	}
	_, locals := s.splitArgs(vars)
	s.printVariables(locals, "no locals")
	return nil
}

// cmdArgs prints the arguments of the selected frame.
func (s *session) cmdArgs(args string) error {
	vars, err := s.frameVariables()
	if err != nil {
		return err
	}
	a, _ := s.splitArgs(vars)
	s.printVariables(a, "no args")
	return nil
}

// cmdStack prints the stack of the selected goroutine.
func (s *session) cmdStack(args string) error {
	if s.state == stateExited {
		return s.exitedError()
	}
	depth := len(s.frames)
	if args != "" {
		n, err := strconv.Atoi(args)
		if err != nil || n < 0 {
			return fmt.Errorf("stack: depth %q is not a number of frames", args)
		}
		depth = n
	}
	if err := s.loadFrames(); err != nil {
		return err
	}
	var b strings.Builder
	for i, f := range s.frames {
		if args != "" && i > depth {
			break
		}
		path := ""
		if f.Source != nil {
			path = f.Source.Path
		}
		mark := " "
		if i == s.frame {
			mark = "*"
		}
		pc := ""
		if f.InstructionPointerReference != "" {
			pc = f.InstructionPointerReference + " in "
		}
		fmt.Fprintf(&b, "%s%2d  %s%s\n      at %s:%d\n", mark, i, pc, f.Name, s.displayPath(path), f.Line)
	}
	s.con.printf("%s", b.String())
	return nil
}

// selectFrame selects frame n of the selected goroutine and shows it.
func (s *session) selectFrame(n int) error {
	if s.state == stateExited {
		return s.exitedError()
	}
	if s.frames == nil {
		if err := s.loadFrames(); err != nil {
			return err
		}
	}
	if n < 0 || n >= len(s.frames) {
		return fmt.Errorf("frame %d does not exist (the stack has %d frames)", n, len(s.frames))
	}
	s.frame = n
	s.printLocation("")
	return nil
}

// cmdFrame selects a frame by number.
func (s *session) cmdFrame(args string) error {
	n, err := strconv.Atoi(strings.TrimSpace(args))
	if err != nil {
		return errors.New("usage: frame <n>")
	}
	return s.selectFrame(n)
}

// stepCount parses the optional count of up and down.
func stepCount(args string) (int, error) {
	if strings.TrimSpace(args) == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(args))
	if err != nil || n < 0 {
		return 0, errors.New("usage: up|down [n]")
	}
	return n, nil
}

// cmdUp selects the caller's frame.
func (s *session) cmdUp(args string) error {
	n, err := stepCount(args)
	if err != nil {
		return err
	}
	return s.selectFrame(s.frame + n)
}

// cmdDown selects the callee's frame.
func (s *session) cmdDown(args string) error {
	n, err := stepCount(args)
	if err != nil {
		return err
	}
	return s.selectFrame(s.frame - n)
}

// cmdGoroutines lists the goroutines.
func (s *session) cmdGoroutines(args string) error {
	if s.state == stateExited {
		return s.exitedError()
	}
	resp, err := s.call(&dap.ThreadsRequest{Request: request("threads")})
	if err != nil {
		return err
	}
	threads := resp.(*dap.ThreadsResponse).Body.Threads
	var b strings.Builder
	for _, t := range threads {
		mark := "  "
		if t.Id == s.thread {
			mark = "* "
		}
		fmt.Fprintf(&b, "%sGoroutine %d - %s\n", mark, t.Id, strings.TrimPrefix(t.Name, "* "))
	}
	fmt.Fprintf(&b, "[%d goroutines]\n", len(threads))
	s.con.printf("%s", b.String())
	return nil
}

// cmdGoroutine shows the selected goroutine, or selects one by id.
func (s *session) cmdGoroutine(args string) error {
	if s.state == stateExited {
		return s.exitedError()
	}
	if strings.TrimSpace(args) == "" {
		s.con.printf("Thread/goroutine %d\n", s.thread)
		return nil
	}
	id, err := strconv.Atoi(strings.TrimSpace(args))
	if err != nil {
		return errors.New("usage: goroutine [id]")
	}
	old, oldFrames, oldFrame := s.thread, s.frames, s.frame
	s.thread, s.frame = id, 0
	if err := s.loadFrames(); err != nil {
		s.thread, s.frames, s.frame = old, oldFrames, oldFrame
		return err
	}
	if len(s.frames) == 0 {
		s.thread, s.frames, s.frame = old, oldFrames, oldFrame
		return fmt.Errorf("no goroutine %d", id)
	}
	s.con.printf("Switched from %d to %d\n", old, id)
	s.printLocation("")
	return nil
}
