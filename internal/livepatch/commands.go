package livepatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/change/classify"
	"github.com/livepatch/livepatch/internal/dapproxy"
)

// command runs a prompt command (the text after CommandPrefix) and returns
// what it prints.
func (m *Manager) command(ctx context.Context, s *dapproxy.Session, cmd string) (string, error) {
	fields := strings.Fields(cmd)
	if len(fields) == 0 {
		return "", errors.New(commandList)
	}
	switch {
	case fields[0] == "help" && len(fields) == 1:
		return commandHelp, nil
	case fields[0] == "patches" && len(fields) == 1:
		ps := m.list(ctx, s)
		pending := m.session(ctx, s).pendingLines()
		if len(ps) == 0 && len(pending) == 0 {
			return "no live patches", nil
		}
		var lines []string
		if len(ps) == 0 {
			lines = append(lines, "no live patches")
		}
		for _, p := range ps {
			l := fmt.Sprintf("%s (%s) from %s", p.Name, change.Position(p.File, p.Line), p.Origin)
			if p.DiffersFromDisk {
				l += ", differs from the file on disk"
			}
			l += ", " + p.Tier
			lines = append(lines, l)
		}
		lines = append(lines, pending...)
		return strings.Join(lines, "\n"), nil
	case fields[0] == "diff" && len(fields) == 2:
		return m.diff(ctx, s, fields[1])
	case fields[0] == "revert" && len(fields) == 2:
		names, err := m.revertNamed(ctx, s, fields[1], fields[1] == "all", false)
		if err != nil {
			return "", err
		}
		return strings.Join(names, "\n"), nil
	}
	return "", fmt.Errorf("unknown command %q: %s", cmd, commandList)
}

// commandList names the prompt's commands, for an error.
const commandList = "commands: :patches, :diff NAME, :revert NAME, :revert all, :pkg [PATH], :help"

// commandHelp is what :help prints.
const commandHelp = `Go at the prompt: an expression prints its value; a statement runs
(at a breakpoint in the paused frame, with its locals; elsewhere in
package scope); a func or method declaration redefines that function
of the program, live.
:patches        the live patches, each with where it came from and its tier
:diff NAME      how the live patch NAME differs from the compiled function
:revert NAME    back to the compiled function (:revert all for every patch)
:pkg [PATH]     the package of package scope (a path, or its last element)
:help           this text`

// list returns the session's live patches.
func (m *Manager) list(ctx context.Context, s *dapproxy.Session) []Patch {
	st := m.session(ctx, s)
	st.mu.Lock()
	if _, err := st.syncProcess(); err != nil {
		st.mu.Unlock()
		return nil
	}
	ps := st.patches()
	st.mu.Unlock()
	b := m.changes.Build()
	for i, p := range ps {
		if p.Origin != OriginPrompt {
			continue
		}
		src, err := os.ReadFile(p.File)
		if err != nil {
			continue
		}
		f, _ := b.Func(p.Key)
		fd, err := classify.ParseFileDecls(f.Package, p.File, src)
		if err == nil && (fd.Funcs[p.Key] == nil || fd.Funcs[p.Key].Text != p.source) {
			ps[i].DiffersFromDisk = true
		}
	}
	return ps
}

// revertNamed reverts the live patch called name (its display name or
// key), or every one, and returns what it reverted; announce also says it
// in the console.
func (m *Manager) revertNamed(ctx context.Context, s *dapproxy.Session, name string, all, announce bool) ([]string, error) {
	st := m.session(ctx, s)
	leave, err := st.q.Enter(ctx, JobRevert)
	if err != nil {
		return nil, err
	}
	defer leave()
	st.mu.Lock()
	_, err = st.syncProcess()
	ps := st.patches()
	st.mu.Unlock()
	if err != nil {
		return nil, err
	}
	var keys, lines []string
	for _, p := range ps {
		if all || p.Name == name || p.Key == name {
			keys = append(keys, p.Key)
			lines = append(lines, "reverted "+p.Name)
		}
	}
	if len(keys) == 0 {
		if all {
			return []string{"no live patches"}, nil
		}
		return nil, fmt.Errorf("no live patch %s", name)
	}
	if err := st.revert(ctx, keys); err != nil {
		return nil, err
	}
	st.followEdits(ctx) // breakpoints in reverted functions go back to the compiled code
	if announce {
		s.Output("console", strings.Join(lines, "\n")+"\n")
	}
	return lines, nil
}

// listRequest answers the custom request livepatch/patches.
func (m *Manager) listRequest(ctx context.Context, s *dapproxy.Session, _ json.RawMessage) (any, error) {
	return map[string]any{"patches": m.list(ctx, s), "pending": m.session(ctx, s).pendingLines()}, nil
}

// revertRequest answers the custom request livepatch/revert, whose
// arguments are {"name": NAME} or {"all": true}.
func (m *Manager) revertRequest(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	var args struct {
		Name string `json:"name"`
		All  bool   `json:"all"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &args); err != nil {
			return nil, fmt.Errorf("livepatch/revert: %w", err)
		}
	}
	if args.Name == "" && !args.All {
		return nil, errors.New(`livepatch/revert: give "name" or "all"`)
	}
	lines, err := m.revertNamed(ctx, s, args.Name, args.All, true)
	if err != nil {
		return nil, err
	}
	return map[string]any{"reverted": lines}, nil
}

// diff shows how the live patch called name differs from the compiled
// function.
func (m *Manager) diff(ctx context.Context, s *dapproxy.Session, name string) (string, error) {
	st := m.session(ctx, s)
	st.mu.Lock()
	var p *Patch
	for _, lp := range st.live {
		if lp.Name == name || lp.Key == name {
			c := *lp
			p = &c
		}
	}
	st.mu.Unlock()
	if p == nil {
		return "", fmt.Errorf("no live patch %s", name)
	}
	compiled := ""
	if fd := m.changes.Build().CompiledFunc(p.Key); fd != nil {
		compiled = fd.Text
	}
	return fmt.Sprintf("--- %s (compiled)\n+++ %s (live, from %s)\n%s", p.Name, p.Name, p.Origin, lineDiff(compiled, p.source)), nil
}

// diffRequest answers the custom request livepatch/diff, whose arguments
// are {"name": NAME}.
func (m *Manager) diffRequest(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	var args struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(raw, &args); err != nil || args.Name == "" {
		return nil, errors.New(`livepatch/diff: give "name"`)
	}
	d, err := m.diff(ctx, s, args.Name)
	if err != nil {
		return nil, err
	}
	return map[string]any{"diff": d}, nil
}
