package agentclient

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/livepatch/livepatch/internal/testenv"
)

// TestQueueOrder checks that jobs get their turns one at a time in the
// order they arrived, that a job waiting past Patience is announced with
// the running one, and that a job whose context ends leaves the queue.
func TestQueueOrder(t *testing.T) {
	ctx := testenv.Context(t)
	notices := make(chan [2]string, 8)
	q := &Queue{Notify: func(job, running string) { notices <- [2]string{job, running} }}

	leave, err := q.Enter(ctx, "input")
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Running(); got != "input" {
		t.Errorf("running: got %q, want input", got)
	}

	// Three jobs queue behind it, in a known order; the second gives up.
	order := make(chan string, 3)
	left := make(chan struct{}, 3) // a job has left its turn
	queued := make(chan struct{})
	ended, cancel := context.WithCancel(ctx)
	errs := make(chan error, 1)
	go func() {
		for _, job := range []string{"save of a.go", "save of b.go", "save of c.go"} {
			jctx := ctx
			if job == "save of b.go" {
				jctx = ended
			}
			go func() {
				l, err := q.Enter(jctx, job)
				if err != nil {
					errs <- err
					return
				}
				order <- job
				l()
				l() // a second call does nothing
				left <- struct{}{}
			}()
			waitQueued(ctx, t, q, job)
		}
		close(queued)
	}()
	<-queued

	select {
	case n := <-notices:
		if n[1] != "input" {
			t.Errorf("notice: %q waits for %q, want input", n[0], n[1])
		}
	case <-ctx.Done():
		t.Fatal("no notice of a job waiting")
	}
	cancel()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("abandoned job: got %v, want context.Canceled", err)
	}
	leave()
	for _, want := range []string{"save of a.go", "save of c.go"} {
		if got := <-order; got != want {
			t.Errorf("turn: got %q, want %q", got, want)
		}
		<-left
	}
	if got := q.Running(); got != "" {
		t.Errorf("running after every job: got %q", got)
	}
}

// waitQueued waits until job is among q's waiting jobs.
func waitQueued(ctx context.Context, t *testing.T, q *Queue, job string) {
	for ctx.Err() == nil {
		q.mu.Lock()
		for _, w := range q.waiting {
			if w.job == job {
				q.mu.Unlock()
				return
			}
		}
		q.mu.Unlock()
		runtime.Gosched()
	}
	t.Errorf("%s never queued", job)
}

// TestQueueQuietJob checks that a job entered quietly is never announced,
// though it waits past Patience, while a job that waits after it is.
func TestQueueQuietJob(t *testing.T) {
	ctx := testenv.Context(t)
	notices := make(chan [2]string, 8)
	q := &Queue{Notify: func(job, running string) { notices <- [2]string{job, running} }}
	leave, err := q.Enter(ctx, "hold")
	if err != nil {
		t.Fatal(err)
	}
	turns := make(chan string, 2)
	enter := func(job string, quiet bool) {
		enter := q.Enter
		if quiet {
			enter = q.EnterQuietly
		}
		l, err := enter(ctx, job)
		if err != nil {
			t.Error(err)
			return
		}
		turns <- job
		l()
	}
	go enter("hold again", true)
	waitQueued(ctx, t, q, "hold again")
	go enter("save of a.go", false)
	waitQueued(ctx, t, q, "save of a.go")
	select {
	case n := <-notices:
		if n[0] != "save of a.go" {
			t.Errorf("notice: %q waits for %q, want only save of a.go's", n[0], n[1])
		}
	case <-ctx.Done():
		t.Fatal("no notice of the job that waits")
	}
	leave()
	<-turns
	<-turns
	select {
	case n := <-notices:
		t.Errorf("another notice: %q waits for %q", n[0], n[1])
	default:
	}
}
