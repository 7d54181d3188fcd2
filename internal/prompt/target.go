package prompt

import (
	"context"
	"fmt"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/dapproxy"
)

// JobInput names a prompt input in a session's agent queue.
const JobInput = "prompt input"

// Target returns the target of debug session s, made on first use and
// dropped when ctx ends: the one object that owns the session's debugger,
// the channels to its agent and its agent queue, which live patching
// shares. Every job of s that uses the target's agent (the prompt's inputs
// here, live patching's saves and redefinitions) takes its turn in its
// Queue, in arrival order, whatever process s debugs. A job that waits
// more than agentclient.Patience says in the console what it waits for.
func (p *Prompt) Target(ctx context.Context, s *dapproxy.Session) *agentclient.Target {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.targets[s]
	if t == nil {
		t = agentclient.NewTarget(s.Debugger, func(job, running string) {
			s.Output("console", fmt.Sprintf("livepatch: %s waits for the running %s\n", job, running))
		})
		t.WithoutDebugger(s.Process)
		p.targets[s] = t
		go func() {
			<-ctx.Done()
			p.mu.Lock()
			delete(p.targets, s)
			delete(p.sessions, s)
			p.mu.Unlock()
		}()
	}
	return t
}
