package change

import (
	"errors"
	"testing"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/rewrite/lower"
)

// TestRefusalReasons checks that a refusal of the rewriting says its
// reason as a value, which the repatch report groups by.
func TestRefusalReasons(t *testing.T) {
	for name, want := range map[string]string{
		"Assigns": lower.ReasonDeferInLoop,
		"Nested":  lower.ReasonIterInSignature,
	} {
		_, err := lowered(t, name)
		var ds diag.Diagnostics
		if !errors.As(err, &ds) || len(ds) == 0 || ds[0].Kind != diag.RefusedInterpreter || ds[0].Reason != want {
			t.Errorf("%s: got %#v, want a refusal of the interpreter for the reason %q", name, err, want)
		}
	}
}
