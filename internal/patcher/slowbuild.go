package patcher

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// A build of a large program takes a minute or more the first time (the
// go command prints nothing meanwhile): the progress says every
// slowBuildEvery that it is still under way, so that nothing seems to
// hang without saying why.
const slowBuildEvery = 10 * time.Second

// syncWriter serializes the writes of the go command's output and of the
// reminders to one progress writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// remind writes "still building (N s)" to w every period until the
// returned function is called.
func remind(w io.Writer, period time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(w, "still building (%s)\n", time.Since(start).Round(time.Second))
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}
