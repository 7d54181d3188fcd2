package livepatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/prompt"
)

// Jobs of livepatch's own in a session's agent queue (saves are "save of
// FILE").
const (
	JobRedefinition = "prompt redefinition"
	JobRevert       = "revert"
)

// CommandPrefix starts the prompt's livepatch commands (:patches,
// :revert NAME, :revert all); it cannot start valid Go.
const CommandPrefix = ":"

// evaluate is the prompt's interceptor (see Register): it answers the
// prompt inputs that declare functions of the program and livepatch's
// commands, and leaves everything else to the Go prompt.
func (m *Manager) evaluate(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (body any, handled bool, err error) {
	var args struct {
		Expression string `json:"expression"`
		Context    string `json:"context"`
	}
	_ = json.Unmarshal(raw, &args)
	text := strings.TrimSpace(args.Expression)
	if !prompt.ConsoleContext(args.Context) {
		return nil, false, nil
	}
	if strings.HasPrefix(text, CommandPrefix) {
		out, err := m.command(ctx, s, strings.TrimSpace(text[len(CommandPrefix):]))
		if err != nil {
			return nil, true, &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: err.Error(), ShowUser: true}
		}
		return map[string]any{"result": out, "variablesReference": 0}, true, nil
	}
	r, ok := m.changes.Build().ParseRedefinition(text)
	if !ok {
		return nil, false, nil // not declarations, or declarations for the REPL
	}
	body, err = m.redefine(ctx, s, r)
	return body, true, err
}

// redefine applies a redefinition (checked and rewritten by
// change.Checker.Redefine) as a patch, in the session's agent queue, and
// reports what it patched.
func (m *Manager) redefine(ctx context.Context, s *dapproxy.Session, r *change.Redefinition) (any, error) {
	fns, newMethods, err := m.changes.Redefine(ctx, r)
	if err != nil {
		var ds diag.Diagnostics
		if errors.As(err, &ds) {
			return nil, &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: ds.Error(), ShowUser: true}
		}
		return nil, &dapproxy.Error{ID: dapproxy.ErrPromptFailed, Summary: err.Error(), ShowUser: true}
	}
	ps := make([]pendingPatch, len(fns))
	for i, fn := range fns {
		ps[i] = pendingPatch{Patch: Patch{Name: fn.Name, Key: fn.Key, Origin: OriginPrompt, File: fn.File, Line: fn.Line, source: fn.Text}, patch: fn.Patch, checked: fn.Checked}
	}
	st := m.session(ctx, s)
	// In the redefinition's turn, the saves that came before it go first.
	leave, err := st.q.Enter(ctx, JobRedefinition)
	if err != nil {
		return nil, &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: "nothing applied: " + err.Error(), ShowUser: true}
	}
	st.applyPending(ctx)
	err = st.apply(ctx, ps)
	var notes []string
	if err == nil {
		notes = st.callNotes(ctx, ps)
		st.followEdits(ctx) // breakpoints in the redefined functions
	}
	leave()
	if err != nil {
		return nil, &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: "nothing applied: " + err.Error(), ShowUser: true}
	}
	var lines []string
	for _, p := range ps {
		lines = append(lines, fmt.Sprintf("patched %s (%s)", p.Name, change.Position(p.File, p.Line)))
	}
	lines = append(lines, newMethods...)
	st.goNative(ctx, ps) // native.go: as a save's, after the interpreted patch
	if len(notes) > 0 {
		// The response stays the list of what was patched (the
		// input's value); the notes go to the console, as a save's do.
		st.report(notes...)
	}
	// The response is the report: an output event too would show it twice.
	return map[string]any{"result": strings.Join(lines, "\n"), "variablesReference": 0}, nil
}
