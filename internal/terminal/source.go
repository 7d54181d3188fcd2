package terminal

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/go-dap"
)

// listContext is how many lines list and stops show before and after a
// line, as dlv does.
const listContext = 5

// displayPath shows path relative to the working directory when it is
// inside it ("./main.go"), absolute otherwise.
func (s *session) displayPath(path string) string {
	if path == "" {
		return "?"
	}
	if s.cwd != "" {
		if rel, err := filepath.Rel(s.cwd, path); err == nil && !strings.HasPrefix(rel, "..") && !filepath.IsAbs(rel) {
			return "." + string(filepath.Separator) + rel
		}
	}
	return path
}

// printSource prints the lines of path around line, marking current (0 for
// none) with "=>".
func (s *session) printSource(path string, line, current int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	defer f.Close()
	first, last := max(line-listContext, 1), line+listContext
	var b strings.Builder
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan() && n <= last; n++ {
		if n < first {
			continue
		}
		mark := "  "
		if n == current {
			mark = "=>"
		}
		fmt.Fprintf(&b, "%s%4d:\t%s\n", mark, n, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("list %s: %w", path, err)
	}
	if b.Len() == 0 {
		return fmt.Errorf("list: %s has no line %d", s.displayPath(path), line)
	}
	s.con.printf("%s", b.String())
	return nil
}

// location is a parsed location argument.
type location struct {
	file string // absolute path, for a line location
	line int
	fn   string // function name, for a function location
}

// parseLocation parses "file:line", "line" (in the file of the selected
// frame) or a function name.
func (s *session) parseLocation(spec string) (location, error) {
	spec = strings.TrimSpace(spec)
	if i := strings.LastIndex(spec, ":"); i > 0 {
		if n, err := strconv.Atoi(spec[i+1:]); err == nil {
			file, err := s.resolveFile(spec[:i])
			if err != nil && !strings.HasSuffix(spec[:i], ".go") && !strings.ContainsAny(spec, " \t") {
				return location{fn: spec}, nil // a line of a function: pkg.F:2
			}
			if err != nil {
				return location{}, err
			}
			return location{file: file, line: n}, nil
		}
	}
	if n, err := strconv.Atoi(spec); err == nil {
		f, ok := s.selectedFrame()
		if !ok || f.Source == nil || f.Source.Path == "" {
			return location{}, errors.New("no current file: give file:line")
		}
		return location{file: f.Source.Path, line: n}, nil
	}
	if strings.ContainsAny(spec, " \t") {
		return location{}, fmt.Errorf("invalid location %q", spec)
	}
	return location{fn: spec}, nil
}

// resolveFile finds the absolute path of a source file named by the user:
// an absolute path, a path relative to the working directory, or the end of
// the path of a file known from the stack or breakpoints, or found under
// the working directory, the program's directory or the launch cwd.
func (s *session) resolveFile(name string) (string, error) {
	if filepath.IsAbs(name) {
		if _, err := os.Stat(name); err != nil {
			return "", fmt.Errorf("could not find file %s", name)
		}
		return filepath.Clean(name), nil
	}
	clean := filepath.Clean(name)
	suffix := string(filepath.Separator) + clean
	var known []string
	for _, f := range s.frames {
		if f.Source != nil {
			known = append(known, f.Source.Path)
		}
	}
	for _, bp := range s.bps.list {
		known = append(known, bp.file, bp.atFile)
	}
	for _, k := range known {
		if k != "" && strings.HasSuffix(k, suffix) {
			return k, nil
		}
	}
	roots := s.searchRoots()
	for _, r := range roots {
		p := filepath.Join(r, clean)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	found := map[string]bool{}
	for _, r := range roots {
		for _, p := range findFiles(r, suffix) {
			found[p] = true
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("could not find file %s", name)
	case 1:
		for p := range found {
			return p, nil
		}
	}
	var all []string
	for p := range found {
		all = append(all, s.displayPath(p))
	}
	return "", fmt.Errorf("ambiguous file %s: %s", name, strings.Join(all, ", "))
}

// searchRoots returns the directories where source files are looked for.
func (s *session) searchRoots() []string {
	var roots []string
	add := func(d string) {
		if d == "" {
			return
		}
		if !filepath.IsAbs(d) && s.cwd != "" {
			d = filepath.Join(s.cwd, d)
		}
		for _, r := range roots {
			if r == d {
				return
			}
		}
		roots = append(roots, d)
	}
	add(s.cwd)
	if cwd, ok := s.cfg.Launch["cwd"].(string); ok {
		add(cwd)
	}
	if p, ok := s.cfg.Launch["program"].(string); ok {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			add(p)
		} else if strings.HasSuffix(p, ".go") {
			add(filepath.Dir(p))
		}
	}
	return roots
}

// findFiles walks root for files whose path ends with suffix, skipping
// hidden directories and giving up after a bounded number of entries.
func findFiles(root, suffix string) []string {
	const limit = 20000
	var found []string
	n := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if n++; n > limit {
			return filepath.SkipAll
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, suffix) {
			found = append(found, p)
		}
		return nil
	})
	return found
}

// resolveFunction asks the server where function fn is, by setting a
// function breakpoint on it and taking it away again.
func (s *session) resolveFunction(fn string) (file string, line int, err error) {
	names := []dap.FunctionBreakpoint{}
	for _, b := range s.bps.functions() {
		names = append(names, dap.FunctionBreakpoint{Name: b.fn})
	}
	req := &dap.SetFunctionBreakpointsRequest{Request: request("setFunctionBreakpoints")}
	req.Arguments.Breakpoints = append(append([]dap.FunctionBreakpoint(nil), names...), dap.FunctionBreakpoint{Name: fn})
	resp, err := s.call(req)
	if err != nil {
		return "", 0, err
	}
	restore := &dap.SetFunctionBreakpointsRequest{Request: request("setFunctionBreakpoints")}
	restore.Arguments.Breakpoints = names
	if _, err := s.call(restore); err != nil {
		return "", 0, err
	}
	result := resp.(*dap.SetFunctionBreakpointsResponse).Body.Breakpoints
	if len(result) == 0 {
		return "", 0, fmt.Errorf("location %s not found", fn)
	}
	r := result[len(result)-1]
	if !r.Verified || r.Source == nil {
		if r.Message != "" {
			return "", 0, errors.New(r.Message)
		}
		return "", 0, fmt.Errorf("location %s not found", fn)
	}
	return r.Source.Path, r.Line, nil
}

// cmdList shows source around a location, or around the selected frame.
func (s *session) cmdList(args string) error {
	cur, haveFrame := s.selectedFrame()
	curFile, curLine := "", 0
	if haveFrame && cur.Source != nil {
		curFile, curLine = cur.Source.Path, cur.Line
	}
	if args == "" {
		if curFile == "" {
			return errors.New("no current location: give a location to list")
		}
		s.con.printf("Showing %s:%d\n", s.displayPath(curFile), curLine)
		return s.printSource(curFile, curLine, curLine)
	}
	loc, err := s.parseLocation(args)
	if err != nil {
		return err
	}
	if loc.fn != "" {
		loc.file, loc.line, err = s.resolveFunction(loc.fn)
		if err != nil {
			return err
		}
	}
	mark := 0
	if loc.file == curFile {
		mark = curLine
	}
	s.con.printf("Showing %s:%d\n", s.displayPath(loc.file), loc.line)
	return s.printSource(loc.file, loc.line, mark)
}
