package testenv

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
)

// Output collects what a program writes and lets a test wait for text: a
// reader takes the text so far with a channel that is closed at the next
// write. The zero Output is empty and ready; it is safe for concurrent use.
type Output struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

// NewOutput returns an empty Output.
func NewOutput() *Output { return &Output{changed: make(chan struct{})} }

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.b.Write(p)
	if o.changed != nil {
		close(o.changed)
		o.changed = nil
	}
	return len(p), nil
}

// Since returns the text from offset on and a channel closed at the next
// write.
func (o *Output) Since(offset int) (string, <-chan struct{}) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.changed == nil {
		o.changed = make(chan struct{})
	}
	return o.b.String()[offset:], o.changed
}

// Len returns the length of the text so far.
func (o *Output) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Len()
}

// String returns the text so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// Wait waits until the text holds want, or fails when ctx ends.
func (o *Output) Wait(ctx context.Context, want string) error {
	for {
		text, changed := o.Since(0)
		if strings.Contains(text, want) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %q: %w", want, ctx.Err())
		}
	}
}
