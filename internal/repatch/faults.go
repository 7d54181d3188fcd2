package repatch

import (
	"strings"
	"sync"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/target/agent/hostlink"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// maxFaultRuns bounds the runs of one package's tests: each run after the
// first keeps compiled the functions in which the interpreter failed in the
// runs before.
const maxFaultRuns = 20

// faults gathers the interpreter faults a test binary's agent logs, by the
// function's name as Go's tracebacks give it, with the interpreter's
// message of the first. It is safe for concurrent use.
type faults struct {
	mu  sync.Mutex
	msg map[string]string
}

// note is an agentclient.Endpoint.FollowLog function: it keeps the
// records of faults and drops the rest.
func (f *faults) note(r agentclient.LogRecord) {
	if r.Msg != hostlink.FaultMsg {
		return
	}
	var fn, msg string
	for _, a := range r.Attrs {
		switch a.Key {
		case hostlink.FaultFunc:
			fn = a.Value
		case hostlink.FaultPanic:
			msg = a.Value
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.msg == nil {
		f.msg = map[string]string{}
	}
	if _, ok := f.msg[fn]; !ok {
		f.msg[fn] = msg
	}
}

// take returns the patches of set in which the interpreter failed as
// refusals, with the rest of set, and forgets the faults. pkg is the
// package under test: Go's tracebacks name a main package's functions
// "main.F", its keys name them by import path.
func (f *faults) take(set []wire.Patch, pkg string) (keep []wire.Patch, refused []Refusal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range set {
		msg, ok := f.msg[p.Key]
		if !ok && strings.HasPrefix(p.Key, pkg+".") {
			msg, ok = f.msg["main."+p.Key[len(pkg)+1:]]
		}
		if !ok {
			keep = append(keep, p)
			continue
		}
		reason := "interpreter fault at run time: " + msg
		refused = append(refused, Refusal{Key: p.Key, Stage: StageRun, Group: summary(reason), Message: reason})
	}
	f.msg = nil
	return keep, refused
}
