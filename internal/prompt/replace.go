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
