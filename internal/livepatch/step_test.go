package livepatch

import (
	"testing"

	"github.com/go-delve/delve/pkg/proc"
)

// TestInMachinery checks which tops of a stack a step steps out of: the
// frames of a gate that held a call (runtime.call*, reflect's, the
// agent's) between a native patch's plugin code and its compiled
// function, and not the user's code nor reflect called by it.
func TestInMachinery(t *testing.T) {
	stack := func(names ...string) []proc.Stackframe {
		fs := make([]proc.Stackframe, len(names))
		for i, n := range names {
			fs[i].Current.Fn = &proc.Function{Name: n}
		}
		return fs
	}
	gate := []string{"reflect.Value.call", "reflect.Value.Call", agentPath + "agent.(*gate).call", "reflect.callReflect", "reflect.makeFuncStub", "example.com/lib.(*Counter).Inc", "main.main"}
	for _, c := range []struct {
		frames []proc.Stackframe
		want   bool
	}{
		{stack(append([]string{"runtime.call16"}, gate...)...), true},
		{stack(gate...), true},
		{stack(gate[2:]...), true},
		{stack("example.com/lib.(*Counter).Inc", "main.main"), false},
		{stack("reflect.ValueOf", "main.main"), false},
		{stack("lp_native_1_2.LpNative0", gate[0]), false},
	} {
		names := make([]string, len(c.frames))
		for i, f := range c.frames {
			names[i] = f.Current.Fn.Name
		}
		if got := inMachinery(c.frames); got != c.want {
			t.Errorf("inMachinery(%v) = %v, want %v", names, got, c.want)
		}
	}
}
