package main

import (
	"bytes"
	"strings"
	"sync"
	"time"
)

// phaseClock is the Progress writer of a patchable build: it notes when
// each of the builder's phase lines arrives. It is safe for concurrent use.
type phaseClock struct {
	mu      sync.Mutex
	start   time.Time
	partial []byte
	marks   map[string]time.Time // phase -> when its line arrived
}

// builderPhases are the phases patcher.Build announces, by the start of
// the line it writes to Progress.
var builderPhases = []string{"loading packages", "instrumenting", "building"}

func newPhaseClock() *phaseClock {
	return &phaseClock{start: time.Now(), marks: map[string]time.Time{}}
}

func (c *phaseClock) Write(p []byte) (int, error) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		line := string(c.partial[:i])
		c.partial = c.partial[i+1:]
		for _, ph := range builderPhases {
			if _, seen := c.marks[ph]; !seen && strings.HasPrefix(line, ph) {
				c.marks[ph] = now
			}
		}
	}
	return len(p), nil
}

// durations returns the time from each phase's start to the next one's,
// the last ending at end; a phase never announced gets 0.
func (c *phaseClock) durations(end time.Time) (load, instrument, build time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, i, b := c.marks["loading packages"], c.marks["instrumenting"], c.marks["building"]
	if l.IsZero() || i.IsZero() || b.IsZero() {
		return 0, 0, 0
	}
	return i.Sub(c.start), b.Sub(i), end.Sub(b)
}
