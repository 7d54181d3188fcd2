package livepatch

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/patcher"
)

// variables answers a variables request as Delve does, less the machinery
// of the patchable build: the dispatch prologue's locals are left out, and
// the names the builder gave unnamed and blank parameters show as "_"
// (patcher.UserName).
func (m *Manager) variables(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	r, err := s.CallDelve(ctx, "variables", raw)
	if err != nil || !r.Success() {
		return r, err
	}
	var body struct {
		Variables []map[string]any `json:"variables"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body()))
	dec.UseNumber() // numbers go back as Delve wrote them
	if err := dec.Decode(&body); err != nil {
		return r, nil
	}
	kept := body.Variables[:0]
	changed := false
	for _, v := range body.Variables {
		name, _ := v["name"].(string)
		shown, show := patcher.UserName(name)
		if !show {
			changed = true
			continue
		}
		if shown != name {
			v["name"], changed = shown, true
		}
		kept = append(kept, v)
	}
	if !changed {
		return r, nil
	}
	return map[string]any{"variables": kept}, nil
}
