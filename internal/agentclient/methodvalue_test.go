package agentclient_test

import (
	"go/constant"
	"strconv"
	"strings"
	"testing"

	"github.com/go-delve/delve/pkg/proc"

	"github.com/livepatch/livepatch/internal/testenv"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// TestMethodValuesInTargetPatches patches the counter program, stopped
// under Delve, with a value-receiver method whose body takes a method value
// and a method expression of the program's own compiled type, and checks
// what the program computes with it after continuing.
func TestMethodValuesInTargetPatches(t *testing.T) {
	ctx := testenv.Context(t)
	d, cont := debugCounter(t, ctx)
	cont()
	c := callClient(t, d)
	label := wire.Patch{Ref: wire.Ref{Key: fixture.pkg + ".Counter.Label"}, Source: `func (c Counter) Label() string {
	p := &c
	inc := p.Inc
	inc()
	f := (*Counter).Inc
	return fmt.Sprintf("patched=%d", f(p))
}`}
	if err := c.Apply(ctx, []wire.Patch{label}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	cont()
	v, err := d.EvalVariableInScope(-1, 0, 0, "s", proc.LoadConfig{MaxStringLen: 4096})
	if err != nil {
		t.Fatalf("eval s: %v", err)
	}
	line := constant.StringVal(v.Value)
	m := reportRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("report %q does not match %s", line, reportRE)
	}
	// Label works on a copy of the counter, after the three Inc calls of
	// the report: the copy counts two more.
	mv, _ := strconv.Atoi(m[4])
	if want := "patched=" + strconv.Itoa(mv+2); !strings.Contains(line, "label="+want+" ") {
		t.Errorf("report %q: want label=%s", line, want)
	}
}
