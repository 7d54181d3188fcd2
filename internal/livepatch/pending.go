package livepatch

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Retry delays of pending saves: the first, doubled up to the last.
const (
	retryFirst = 250 * time.Millisecond
	retryMax   = 2 * time.Second
)

// pendingSave is a saved file whose change has not reached the agent yet.
type pendingSave struct {
	file string
	told string // the reason the user was last given
}

// save is a save of file seen by the watcher: in the save's turn of the
// agent queue, it joins the pending saves, which are applied in the order
// they were saved.
func (st *session) save(ctx context.Context, file string) {
	leave, err := st.q.Enter(ctx, "save of "+filepath.Base(file))
	if err != nil {
		return // the session ended
	}
	defer leave()
	st.mu.Lock()
	known := false
	for _, p := range st.pending {
		known = known || p.file == file
	}
	if !known {
		st.pending = append(st.pending, pendingSave{file: file})
	}
	st.mu.Unlock()
	st.applyPending(ctx)
	st.followEdits(ctx) // breakpoints.go
}

// applyPending applies the pending saves in order. At the first that the
// agent cannot take now, it stops, tells the user (once per reason) and
// schedules a retry: a save is never dropped for want of an answer. The
// caller has the turn.
func (st *session) applyPending(ctx context.Context) {
	for {
		st.mu.Lock()
		if len(st.pending) == 0 {
			st.retries = 0
			st.mu.Unlock()
			return
		}
		file := st.pending[0].file
		mark := st.pauseMark()
		st.mu.Unlock()
		err := st.applySave(ctx, file)
		st.mu.Lock()
		if err == nil {
			st.pending = st.pending[1:] // only turn holders change pending
			st.mu.Unlock()
			continue
		}
		if st.ownPause(mark) { // nativepanic.go: over in milliseconds
			st.retryLater(ctx)
			st.mu.Unlock()
			return
		}
		tell := st.pending[0].told != err.Error()
		st.pending[0].told = err.Error()
		var files []string
		for _, p := range st.pending {
			files = append(files, filepath.Base(p.file))
		}
		st.retryLater(ctx)
		st.mu.Unlock()
		if tell {
			st.s.Output("console", fmt.Sprintf("livepatch: save of %s not applied yet: %v\nlivepatch: pending, in this order: %s; applied as soon as the agent can take them\n",
				filepath.Base(file), err, strings.Join(files, ", ")))
		}
		return
	}
}

// retryLater schedules a retry of the pending saves, unless one is
// scheduled. The caller holds mu.
func (st *session) retryLater(ctx context.Context) {
	if st.retrying {
		return
	}
	st.retrying = true
	delay := min(retryFirst<<min(st.retries, 8), retryMax)
	st.retries++
	time.AfterFunc(delay, func() {
		st.mu.Lock()
		st.retrying = false
		file := ""
		if len(st.pending) > 0 {
			file = st.pending[0].file
		}
		st.mu.Unlock()
		if file == "" || ctx.Err() != nil {
			return
		}
		leave, err := st.q.Enter(ctx, "save of "+filepath.Base(file))
		if err != nil {
			return
		}
		defer leave()
		st.applyPending(ctx)
		st.followEdits(ctx)
	})
}

// pendingLines describes the pending saves for :patches.
func (st *session) pendingLines() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	lines := []string{}
	for _, p := range st.pending {
		l := fmt.Sprintf("save of %s: not applied yet", filepath.Base(p.file))
		if p.told != "" {
			l += " (" + p.told + ")"
		}
		lines = append(lines, l)
	}
	if running := st.q.Running(); strings.HasPrefix(running, "save of ") && len(lines) == 0 {
		lines = append(lines, running+": being applied")
	}
	return lines
}
