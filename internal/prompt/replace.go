package prompt

import (
	"context"
	"encoding/json"

	"github.com/livepatch/livepatch/internal/dapproxy"
)

// Evaluate answers an evaluate request as the handler that Register
// installs does. It lets a handler that intercepts some inputs (live
// patching) pass the others on to the prompt.
func (p *Prompt) Evaluate(ctx context.Context, s *dapproxy.Session, args json.RawMessage) (any, error) {
	return p.evaluate(ctx, s, args)
}

// Replacement is a function or method declaration rewritten for the agent:
// package variables and unexported fields of compiled types are reached
// through the builder's generated accessors, as the prompt's inputs are.
type Replacement struct {
	// Source is the declaration, with the same lines as the one given.
	Source string
	// Imports are the import specs the source needs in the interpreter.
	Imports []string
}
