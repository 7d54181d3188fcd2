package prompt

import (
	"context"
	"fmt"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/dapproxy"
)

// JobInput names a prompt input in a session's agent queue.
const JobInput = "prompt input"

// Queue returns the agent queue of debug session s, made on first use and
// dropped when ctx ends: every job of s that uses the target's agent (the
// prompt's inputs here, live patching's saves and redefinitions) takes its
// turn in it, in arrival order, whatever process s debugs. A job that waits
// more than agentclient.Patience says in the console what it waits for.
func (p *Prompt) Queue(ctx context.Context, s *dapproxy.Session) *agentclient.Queue {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.queues[s]
	if q == nil {
		q = &agentclient.Queue{Notify: func(job, running string) {
			s.Output("console", fmt.Sprintf("livepatch: %s waits for the running %s\n", job, running))
		}}
		p.queues[s] = q
		go func() {
			<-ctx.Done()
			p.mu.Lock()
			delete(p.queues, s)
			p.mu.Unlock()
		}()
	}
	return q
}
