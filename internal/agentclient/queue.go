package agentclient

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Patience is how long a job waits in a Queue before the queue tells
// Notify what it waits for.
const Patience = 300 * time.Millisecond

// Queue orders the jobs of one debug session that use its target's agent
// (prompt inputs, prompt redefinitions, saves, reverts): they run one at a
// time, in the order they arrived, each choosing its channel (call
// injection or socket) when its turn comes. A job that only reads the
// host's own state does not enter the queue.
//
// The zero value is an empty queue; its methods are safe for concurrent
// use. The call lock of a debugger (see CallClient) still keeps its inbox
// whole; the queue decides the order, which that lock does not.
type Queue struct {
	// Notify, when not nil, is called once for a job that has waited
	// Patience, with the job that runs at that moment, from the waiting
	// goroutine before its turn comes.
	Notify func(job, running string)

	mu      sync.Mutex
	running string  // the job holding the turn; "" when none
	waiting []*turn // in arrival order
}

// turn is a job waiting in a Queue.
type turn struct {
	job   string
	ready chan struct{} // closed when the job has the turn
}

// Enter waits for job's turn and returns the function that ends it (calls
// after the first do nothing). It fails only when ctx ends first; the job
// then leaves the queue.
func (q *Queue) Enter(ctx context.Context, job string) (leave func(), err error) {
	return q.enter(ctx, job, true)
}

// EnterQuietly is Enter for a job that nobody waits for (upkeep in the
// background): its wait is never told (Notify), which would say that
// livepatch's own work waits for itself.
func (q *Queue) EnterQuietly(ctx context.Context, job string) (leave func(), err error) {
	return q.enter(ctx, job, false)
}

func (q *Queue) enter(ctx context.Context, job string, notify bool) (leave func(), err error) {
	q.mu.Lock()
	if q.running == "" && len(q.waiting) == 0 {
		q.running = job
		q.mu.Unlock()
		return q.leaveFunc(), nil
	}
	t := &turn{job: job, ready: make(chan struct{})}
	q.waiting = append(q.waiting, t)
	q.mu.Unlock()

	patience := time.NewTimer(Patience)
	defer patience.Stop()
	for {
		select {
		case <-t.ready:
			return q.leaveFunc(), nil
		case <-patience.C:
			select {
			case <-t.ready:
				return q.leaveFunc(), nil
			default:
			}
			if running := q.Running(); running != "" && q.Notify != nil && notify {
				q.Notify(job, running)
			}
		case <-ctx.Done():
			q.mu.Lock()
			select {
			case <-t.ready:
				// The turn came with the end: pass it on.
				q.mu.Unlock()
				q.leaveFunc()()
			default:
				for i, w := range q.waiting {
					if w == t {
						q.waiting = append(q.waiting[:i], q.waiting[i+1:]...)
						break
					}
				}
				q.mu.Unlock()
			}
			return nil, fmt.Errorf("%s: wait for the running %s: %w", job, q.Running(), ctx.Err())
		}
	}
}

// leaveFunc returns the function that gives the turn to the next job.
func (q *Queue) leaveFunc() func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			q.mu.Lock()
			defer q.mu.Unlock()
			q.running = ""
			if len(q.waiting) > 0 {
				next := q.waiting[0]
				q.waiting = q.waiting[1:]
				q.running = next.job
				close(next.ready)
			}
		})
	}
}

// Running returns the job that has the turn, or "".
func (q *Queue) Running() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.running
}
