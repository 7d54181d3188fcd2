package main

import (
	"fmt"
	"sync"
)

// Counter is a count that grows by a step on every Inc and every Tick.
// It is safe for concurrent use: the HTTP handlers and the ticker loop share
// one Counter.
type Counter struct {
	mu    sync.Mutex
	n     int            // current count
	ticks int            // Tick calls so far
	by    map[string]int // Inc calls per caller
}

// NewCounter returns a Counter at zero.
func NewCounter() *Counter {
	return &Counter{by: make(map[string]int)}
}

// Inc adds one step to the count on behalf of who and returns the new count.
func (c *Counter) Inc(who string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += c.step()
	c.by[who]++
	return c.n
}

// Get returns the current count.
func (c *Counter) Get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Tick is called by the background loop: it adds one step to the count and
// returns a status line for the log.
func (c *Counter) Tick() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ticks++
	c.n += c.step()
	return fmt.Sprintf("tick %d: count=%d callers=%d", c.ticks, c.n, len(c.by))
}

// step is how much Inc and Tick add. The caller holds c.mu.
// A good first live patch: make it return 10.
func (c *Counter) step() int {
	return 1
}
