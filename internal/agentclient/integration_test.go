package agentclient_test

import (
	"bytes"
	"fmt"
	"go/constant"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/testenv"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// fixture is the counter program, built patchably once per test binary.
var fixture struct {
	once sync.Once
	bin  string
	pkg  string // import path of the program's main package
	log  bytes.Buffer
	err  error
}

var tmpRoot string

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "agentclient-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpRoot = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}

// counterBinary builds testdata/counter patchably.
func counterBinary(t *testing.T) string {
	t.Helper()
	fixture.once.Do(func() {
		dir, err := filepath.Abs("testdata/counter")
		if err != nil {
			fixture.err = err
			return
		}
		res, err := patcher.Build(testenv.Context(t), patcher.Options{
			Dir:    dir,
			Output: filepath.Join(tmpRoot, "counter"),
			Log:    slog.New(slog.NewTextHandler(&fixture.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		})
		if err != nil {
			fixture.err = err
			return
		}
		fixture.bin = res.Output
		for _, f := range res.Manifest.Functions {
			if f.Key == f.Package+".greet" {
				fixture.pkg = f.Package
			}
		}
		if fixture.pkg == "" {
			fixture.err = fmt.Errorf("manifest has no greet function: %+v", res.Manifest)
		}
	})
	if fixture.err != nil {
		t.Logf("patcher log:\n%s", fixture.log.String())
		t.Fatalf("patchable build of testdata/counter: %v", fixture.err)
	}
	return fixture.bin
}

// counterPatches returns the patch set both tests apply: a function, a
// pointer-receiver method and a value-receiver method of package pkg.
func counterPatches(pkg string) []wire.Patch {
	return []wire.Patch{
		{Ref: wire.Ref{Key: pkg + ".greet"}, Source: `func greet(name string) string { return "howdy " + name }`},
		{Ref: wire.Ref{Key: pkg + ".(*Counter).Inc"}, Source: `func (c *Counter) Inc() int {
	*lpField_Counter_n(c) += 10
	return *lpField_Counter_n(c)
}`},
		{Ref: wire.Ref{Key: pkg + ".Counter.Label"}, Source: `func (c Counter) Label() string { return fmt.Sprintf("patched=%d", *lpField_Counter_n(&c)) }`},
	}
}

var reportRE = regexp.MustCompile(`^greet=(.*) inc=(\d+) iinc=(\d+) mvinc=(\d+) label=(\w+)=\d+ iface=(\w+)=\d+ mvlabel=(\w+)=\d+ sum=(\d+) div=(.*)$`)

// checkReport checks one report line of the counter program: patched or
// not, every call path must show the same version.
func checkReport(t *testing.T, line string, patched bool) {
	t.Helper()
	m := reportRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("report %q does not match %s", line, reportRE)
	}
	greet, step, label := "hello x", 1, "count"
	if patched {
		greet, step, label = "howdy x", 10, "patched"
	}
	a, _ := strconv.Atoi(m[2])
	b, _ := strconv.Atoi(m[3])
	c, _ := strconv.Atoi(m[4])
	if m[1] != greet {
		t.Errorf("%q: greet: got %q, want %q", line, m[1], greet)
	}
	if b-a != step || c-b != step {
		t.Errorf("%q: Inc steps (direct, interface, method value): got %d, %d, want %d", line, b-a, c-b, step)
	}
	for i, what := range []string{"direct", "interface", "method value"} {
		if got := m[5+i]; got != label {
			t.Errorf("%q: Label %s: got %q, want %q", line, what, got, label)
		}
	}
	if m[8] != "9" || m[9] != "3,<nil>" {
		t.Errorf("%q: sum and div: got %s and %s, want 9 and 3,<nil>", line, m[8], m[9])
	}
}

// extraPatches returns a second patch set: a variadic function and a
// function with two results that panics with an error value, which the
// compiled caller's recover must see unchanged.
func extraPatches(pkg string) []wire.Patch {
	return []wire.Patch{
		{Ref: wire.Ref{Key: pkg + ".sum"}, Source: `func sum(xs ...int) int {
	p := 1
	for _, x := range xs {
		p *= x
	}
	return p
}`},
		{Ref: wire.Ref{Key: pkg + ".div"}, Source: `func div(a, b int) (int, error) {
	panic(errors.New("div is patched"))
}`},
	}
}

// checkExtras checks the fields that extraPatches changes.
func checkExtras(t *testing.T, line string) {
	t.Helper()
	m := reportRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("report %q does not match %s", line, reportRE)
	}
	if m[8] != "24" {
		t.Errorf("%q: variadic sum: got %s, want 24", line, m[8])
	}
	if want := "0,recovered *errors.errorString: div is patched"; m[9] != want {
		t.Errorf("%q: div: got %q, want %q", line, m[9], want)
	}
}

// TestSocketPatching runs the program, patches it through the agent's
// socket while it runs, sees its output change, and restores it.
func TestSocketPatching(t *testing.T) {
	bin := counterBinary(t)
	ctx := testenv.Context(t)
	ep, err := agentclient.NewEndpoint()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Remove() })
	if fi, err := os.Stat(ep.Dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("endpoint directory is not private: %v", err)
	}
	sock := ep.Path

	cmd := testenv.Command(ctx, bin)
	cmd.Env = append(os.Environ(), ep.Env()...)
	stderr := testenv.NewOutput()
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("target stderr:\n%s", stderr.String())
		}
	})
	testenv.Start(t, cmd)
	lines := testenv.Lines(stdout)
	report := func() string {
		t.Helper()
		if _, err := io.WriteString(stdin, "\n"); err != nil {
			t.Fatalf("write to target: %v", err)
		}
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("target exited")
			}
			return l
		case <-ctx.Done():
			t.Fatalf("no report from the target: %v", ctx.Err())
		}
		return ""
	}

	// The first report comes after init, so the socket listens.
	checkReport(t, report(), false)
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatalf("agent socket: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode: got %o, want 600", fi.Mode().Perm())
	}
	if _, err := agentclient.Dial(ctx, sock, "wrong"); err == nil {
		t.Errorf("Dial with a wrong token succeeded")
	}
	c, err := ep.Dial(ctx)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	if _, err := ep.Dial(ctx); err == nil {
		t.Errorf("a second concurrent client was accepted")
	}

	if err := c.Apply(ctx, counterPatches(fixture.pkg)); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	checkReport(t, report(), true)
	checkReport(t, report(), true)

	patched, funcs, err := c.Status(ctx)
	if err != nil || len(patched) != 3 || funcs < 3 {
		t.Errorf("Status: got %d patched, %d funcs, %v", len(patched), funcs, err)
	}
	r, err := c.Eval(ctx, `greet("eval")`, fixture.pkg, 0)
	if err != nil || r.Value != `"howdy eval"` {
		t.Errorf("Eval: got %+v, %v", r, err)
	}

	// A set with an error applies nothing.
	bad := append([]wire.Patch{{Ref: wire.Ref{Key: fixture.pkg + ".greet"}, Source: `func greet(name string) string { return "bad " + name }`}},
		wire.Patch{Ref: wire.Ref{Key: fixture.pkg + ".report"}, Source: `func report() string { return nosuch }`})
	if err := c.Apply(ctx, bad); err == nil {
		t.Errorf("Apply of a broken set succeeded")
	}
	checkReport(t, report(), true)

	if err := c.Apply(ctx, extraPatches(fixture.pkg)); err != nil {
		t.Fatalf("Apply extras: %v", err)
	}
	checkExtras(t, report())
	if err := c.Revert(ctx, wire.Ref{Key: fixture.pkg + ".sum"}, wire.Ref{Key: fixture.pkg + ".div"}); err != nil {
		t.Fatalf("Revert extras: %v", err)
	}
	checkReport(t, report(), true)

	if err := c.Revert(ctx, wire.Ref{Key: fixture.pkg + ".greet"}); err != nil {
		t.Fatalf("Revert: %v", err)
	}
	if l := report(); !regexp.MustCompile(`^greet=hello x .* label=patched=`).MatchString(l) {
		t.Errorf("after reverting greet only: %q", l)
	}
	if err := c.RevertAll(ctx); err != nil {
		t.Fatalf("RevertAll: %v", err)
	}
	checkReport(t, report(), false)
}

// TestInjectedCallPatching stops the program under Delve and patches it by
// call injection, then checks what the program computes after continuing.
func TestInjectedCallPatching(t *testing.T) {
	bin := counterBinary(t)
	ctx := testenv.Context(t)
	d := debugLoop(t, bin)
	// next continues to the breakpoint in emit and returns its argument.
	next := func() string {
		t.Helper()
		if err := ctx.Err(); err != nil {
			t.Fatal(err)
		}
		state, err := d.Command(&api.DebuggerCommand{Name: api.Continue}, nil, nil, nil)
		if err != nil {
			t.Fatalf("continue: %v", err)
		}
		if state.Exited || state.CurrentThread == nil || state.CurrentThread.Breakpoint == nil {
			t.Fatalf("continue did not stop at the breakpoint: %+v", state)
		}
		v, err := d.EvalVariableInScope(-1, 0, 0, "s", proc.LoadConfig{MaxStringLen: 4096})
		if err != nil {
			t.Fatalf("eval s: %v", err)
		}
		return constant.StringVal(v.Value)
	}
	checkReport(t, next(), false)

	c := callClient(t, d)
	if err := c.Apply(ctx, counterPatches(fixture.pkg)); err != nil {
		t.Fatalf("Apply by call injection: %v", err)
	}
	checkReport(t, next(), true)
	r, err := c.Eval(ctx, "6 * 7", "", 0)
	if err != nil || r.Value != "42" {
		t.Errorf("Eval by call injection: got %+v, %v", r, err)
	}
	if err := c.RevertAll(ctx); err != nil {
		t.Fatalf("RevertAll by call injection: %v", err)
	}
	checkReport(t, next(), false)
}

// TestCallClientWithoutAgent checks the error for a program that was not
// built patchably.
func TestCallClientWithoutAgent(t *testing.T) {
	ctx := testenv.Context(t)
	bin := filepath.Join(t.TempDir(), "plain")
	if out, err := testenv.BuildUnoptimized(ctx, "testdata/counter", bin); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	d := debugLoop(t, bin)
	if _, err := d.Command(&api.DebuggerCommand{Name: api.Continue}, nil, nil, nil); err != nil {
		t.Fatalf("continue: %v", err)
	}
	_, err := callClient(t, d).Eval(ctx, "1", "", 0)
	if err == nil || !strings.Contains(err.Error(), "built patchable") {
		t.Errorf("Eval without an agent: got %v, want an error about a patchable build", err)
	}
}
