package patcher

import (
	"io"
	"os"
	"testing"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/testenv"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// TestPatchThroughAgent runs a patchable binary, patches functions of it
// through the agent while it runs, and checks that calls reach the
// replacements through the prologues and typed wrappers: variadic
// parameters, several results, an unexported field through its generated
// accessor, and a panic value that a compiled recover sees unchanged.
func TestPatchThroughAgent(t *testing.T) {
	dir := fixture(t, "live")
	res := patchable(t, "live", Options{Dir: dir})
	ep, err := agentclient.NewEndpoint()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Remove() })

	ctx := testenv.Context(t)
	cmd := testenv.Command(ctx, res.Output)
	cmd.Env = append(os.Environ(), ep.Env()...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := testenv.NewOutput()
	cmd.Stderr = stderr
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("target stderr:\n%s", stderr.String())
		}
	})
	testenv.Start(t, cmd)
	lines := testenv.Lines(stdout)
	readLine := func() string {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("target closed its output")
			}
			return l
		case <-ctx.Done():
			t.Fatal("no output from the target in time")
			return ""
		}
	}
	ask := func(in, want string) {
		t.Helper()
		if _, err := io.WriteString(stdin, in+"\n"); err != nil {
			t.Fatal(err)
		}
		if got := readLine(); got != want {
			t.Errorf("answer to %q: got %q, want %q", in, got, want)
		}
	}

	if got := readLine(); got != "ready" {
		t.Fatalf("got %q, want ready", got)
	}
	ask("a", "hello, a 1 6 0 division by zero")

	client, err := ep.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	patches := []wire.Patch{
		{Ref: wire.Ref{Key: "example.com/live.greet"}, Source: `func greet(name string) string { return "patched, " + name }`},
		{Ref: wire.Ref{Key: "example.com/live.(*Counter).Add"}, Source: `func (c *Counter) Add(d int) int { *lpField_Counter_n(c) += 10 * d; return *lpField_Counter_n(c) }`},
		{Ref: wire.Ref{Key: "example.com/live.sum"}, Source: `func sum(xs ...int) int { return 100 * len(xs) }`},
		{Ref: wire.Ref{Key: "example.com/live.div"}, Source: `func div(a, b int) (int, error) { return a + b, nil }`},
	}
	if err := client.Apply(ctx, patches); err != nil {
		t.Fatalf("apply: %v", err)
	}
	ask("b", "patched, b 11 300 6 <nil>")

	if err := client.Apply(ctx, []wire.Patch{
		{Ref: wire.Ref{Key: "example.com/live.div"}, Source: `func div(a, b int) (int, error) { panic("custom") }`},
	}); err != nil {
		t.Fatalf("apply: %v", err)
	}
	ask("c", "recovered string custom")

	if err := client.RevertAll(ctx); err != nil {
		t.Fatalf("revert: %v", err)
	}
	ask("d", "hello, d 12 6 0 division by zero")

	// Untyped constants of the standard library and of the package come
	// from the generated symbol tables.
	if err := client.Apply(ctx, []wire.Patch{
		{Ref: wire.Ref{Key: "example.com/live.greet"}, Source: `func greet(name string) string { return fmt.Sprint(name, " ", math.MinInt64, " ", math.Pi, " ", os.DevNull, " ", strconv.IntSize > 0) }`},
	}); err != nil {
		t.Fatalf("apply: %v", err)
	}
	ask("e", "e -9223372036854775808 3.141592653589793 /dev/null true 13 6 0 division by zero")
}
