package patcher

import (
	"strings"
	"testing"
	"time"
)

// chanWriter sends each write on a channel.
type chanWriter chan string

func (c chanWriter) Write(p []byte) (int, error) {
	c <- string(p)
	return len(p), nil
}

// TestRemind checks that a build under way says so every period, and
// that stopping the reminders ends them.
func TestRemind(t *testing.T) {
	writes := make(chanWriter)
	stop := remind(writes, time.Millisecond)
	deadline := time.After(time.Minute)
	for range 2 {
		select {
		case w := <-writes:
			if !strings.HasPrefix(w, "still building (") || !strings.HasSuffix(w, ")\n") {
				t.Errorf("reminder %q", w)
			}
		case <-deadline:
			t.Fatal("no reminder within a minute")
		}
	}
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	for {
		select {
		case <-writes: // one may be on its way
		case <-stopped:
			return
		case <-deadline:
			t.Fatal("the reminders did not stop")
		}
	}
}
