package agentclient_test

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/testenv"
	"github.com/livepatch/livepatch/target/agent/hostlink"
)

// heldCounter starts the counter program with an agent endpoint and
// hold (LIVEPATCH_AGENT_HOLD=holdVal) and returns its stdin, a channel of
// its stdout lines and a channel of its stderr lines.
func heldCounter(t *testing.T, ep *agentclient.Endpoint, holdVal string) (io.WriteCloser, <-chan string, <-chan string) {
	t.Helper()
	bin := counterBinary(t)
	cmd := testenv.Command(testenv.Context(t), bin)
	cmd.Env = append(append(os.Environ(), ep.Env()...), hostlink.EnvHold+"="+holdVal)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	testenv.Start(t, cmd)
	return stdin, testenv.Lines(stdout), testenv.Lines(stderr)
}

// await returns the first line of ch that starts with prefix, failing the
// test when ch closes or the test's deadline nears first.
func await(t *testing.T, ch <-chan string, prefix string) string {
	t.Helper()
	ctx := testenv.Context(t)
	for {
		select {
		case l, ok := <-ch:
			if !ok {
				t.Fatalf("stream ended before a line starting %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-ctx.Done():
			t.Fatalf("no line starting %q: %v", prefix, ctx.Err())
		}
	}
}

// TestHoldPatchesBeforeMain starts the counter held, patches it, releases
// it, and checks that main's first report, asked for before the patch
// was applied, is already patched: main did not run before the release.
func TestHoldPatchesBeforeMain(t *testing.T) {
	ctx := testenv.Context(t)
	ep, err := agentclient.NewEndpoint()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Remove() })
	stdin, stdout, stderr := heldCounter(t, ep, "1")
	if l := await(t, stderr, hostlink.HoldingLine); !strings.Contains(l, "deadline 5m0s") {
		t.Errorf("holding line %q does not give the default deadline", l)
	}
	// Ask for a report now: a main that ran already would answer it unpatched.
	if _, err := io.WriteString(stdin, "\n"); err != nil {
		t.Fatal(err)
	}
	c, err := ep.Dial(ctx)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	if err := c.Apply(ctx, counterPatches(fixture.pkg)); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if err := c.Release(ctx); err != nil {
		t.Fatalf("Release: %v", err)
	}
	// A second release is harmless.
	if err := c.Release(ctx); err != nil {
		t.Errorf("second Release: %v", err)
	}
	checkReport(t, await(t, stdout, "greet="), true)
}

// TestHoldDeadline starts the counter held with a short deadline and no
// client: the agent says on stderr that nobody released it, and main runs.
func TestHoldDeadline(t *testing.T) {
	ep, err := agentclient.NewEndpoint()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Remove() })
	stdin, stdout, stderr := heldCounter(t, ep, "100ms")
	await(t, stderr, hostlink.HoldingLine)
	if l := await(t, stderr, "livepatch agent: no release within"); !strings.Contains(l, "100ms") {
		t.Errorf("deadline line %q does not name the deadline", l)
	}
	if _, err := io.WriteString(stdin, "\n"); err != nil {
		t.Fatal(err)
	}
	checkReport(t, await(t, stdout, "greet="), false)
}
