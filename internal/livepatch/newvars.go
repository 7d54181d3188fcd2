package livepatch

import (
	"context"

	"github.com/livepatch/livepatch/internal/change"
)

// varsLive records the package variables an applied save made live: the
// next saves are planned against them (a declaration as before leaves
// them alone), and the prompt's inputs see them. The caller has the turn
// and does not hold mu.
func (st *session) varsLive(ctx context.Context, vars []change.NewVar) {
	if len(vars) == 0 {
		return
	}
	st.mu.Lock()
	if st.vars == nil {
		st.vars = map[string]change.LiveVar{}
	}
	for _, v := range vars {
		st.vars[v.Key] = v.LiveVar
	}
	st.mu.Unlock()
	if prog, err := st.m.changes.Build().Program(ctx); err == nil {
		prog.VarsLive(vars)
	}
}

// forgetVars forgets the variables of a process that is gone. The caller
// holds mu.
func (st *session) forgetVars() {
	if len(st.vars) == 0 {
		return
	}
	clear(st.vars)
	// Loaded already, by varsLive.
	if prog, err := st.m.changes.Build().Program(context.Background()); err == nil {
		prog.ForgetVars()
	}
}
