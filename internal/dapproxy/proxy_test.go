package dapproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestHandleTwicePanics checks that a second handler for one command is
// refused, not put silently in place of the first.
func TestHandleTwicePanics(t *testing.T) {
	p := New(Config{})
	h := func(context.Context, *Session, json.RawMessage) (any, error) { return nil, nil }
	p.Handle("evaluate", h)
	p.Handle("completions", h) // another command is fine
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("a second handler for evaluate was accepted")
		}
		if msg := fmt.Sprint(r); !strings.Contains(msg, `"evaluate"`) {
			t.Errorf("panic %q does not name the command", msg)
		}
	}()
	p.Handle("evaluate", h)
}
