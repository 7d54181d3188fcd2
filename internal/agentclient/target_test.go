package agentclient_test

import (
	"testing"

	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/testenv"
)

// TestTargetNotesRestart checks a Target's restart detection on a real
// debugger: no debugger means no channels, the first process is not a
// restart, the same process keeps its call client, and Delve's restart
// (another process, the same debugger) is one restart with a new call
// client that reaches the new process's agent.
func TestTargetNotesRestart(t *testing.T) {
	ctx := testenv.Context(t)
	var d *debugger.Debugger
	tg := agentclient.NewTarget(func() *debugger.Debugger { return d }, nil)
	if got, call, n := tg.Sync(); got != nil || call != nil || n != 0 {
		t.Fatalf("Sync before launch: %v, %v, %d; want no debugger, no client, 0 restarts", got, call, n)
	}

	d, cont := debugCounter(t, ctx)
	cont()
	got, first, n := tg.Sync()
	if got != d || first == nil || n != 0 {
		t.Fatalf("Sync of the first process: %v, %v, %d; want the debugger, a client, 0 restarts", got, first, n)
	}
	if _, again, n := tg.Sync(); again != first || n != 0 {
		t.Errorf("Sync of the same process: client changed %v, %d restarts; want the same client, 0", again != first, n)
	}
	if _, err := first.Eval(ctx, "1", "", 0); err != nil {
		t.Fatalf("eval in the first process: %v", err)
	}

	if _, err := d.Restart(false, "", false, nil, [3]string{}, false); err != nil {
		t.Fatalf("restart: %v", err)
	}
	cont()
	_, second, n := tg.Sync()
	if n != 1 || second == first {
		t.Fatalf("Sync after restart: %d restarts, client changed %v; want 1 restart and a new client", n, second != first)
	}
	if v, err := second.Eval(ctx, "2", "", 0); err != nil || v.Value != "2" {
		t.Errorf("eval in the restarted process: %v, %v; want 2", v, err)
	}
}

// TestTargetWithoutDebugger checks how a Target follows a program that
// runs with no debugger: by its pid, a new pid counting as a restart; Free
// while there is one; and no channel while there is none.
func TestTargetWithoutDebugger(t *testing.T) {
	pid := 0
	tg := agentclient.NewTarget(func() *debugger.Debugger { return nil }, nil)
	tg.WithoutDebugger(func() int { return pid })
	check := func(what string, wantRestarts int, wantFree bool) {
		t.Helper()
		d, call, restarts := tg.Sync()
		if d != nil || call != nil || restarts != wantRestarts || tg.Free() != wantFree {
			t.Errorf("%s: Sync = %v, %v, %d, Free %v; want no debugger, no call client, %d restarts, Free %v",
				what, d, call, restarts, tg.Free(), wantRestarts, wantFree)
		}
	}
	check("before launch", 0, false)
	if _, err := tg.Client(testenv.Context(t)); err == nil {
		t.Errorf("Client before launch: no error")
	}
	pid = 100
	check("the first process", 0, true)
	check("the same process", 0, true)
	pid = 101
	check("a restart", 1, true)
}
