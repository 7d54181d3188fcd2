package integration

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/repatch"
)

// runRepatch runs `livepatch test --repatch=all --json` on pkgs and
// returns the report and the exit code.
func runRepatch(t *testing.T, pkgs ...string) (*repatch.Report, int, string) {
	t.Helper()
	args := append([]string{"test", "--repatch=all", "--json"}, pkgs...)
	cmd := exec.CommandContext(testContext(t), livepatchBinary(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("livepatch test: %v", err)
	}
	var rep repatch.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("livepatch test --json: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	return &rep, code, stderr.String()
}

// TestRepatchFidelityFixtures runs the fidelity fixtures with every
// function replaced by its interpreted self: every natively passing test
// passes, the constructs the rewriter lowers run interpreted, and what
// stays compiled says why.
func TestRepatchFidelityFixtures(t *testing.T) {
	rep, code, stderr := runRepatch(t, "./testdata/fidelity/...")
	if code != 0 || rep.Regressions() != 0 {
		var failed []string
		for _, p := range rep.Packages {
			for name, out := range p.Repatched.FailOutput {
				failed = append(failed, fmt.Sprintf("%s (native: %s):\n%s", name, p.Native.Tests[name], out))
			}
			if p.Repatched.Output != "" {
				failed = append(failed, p.Repatched.Output)
			}
		}
		t.Fatalf("exit code %d, %d regressions; stderr:\n%s\nrepatched failures:\n%s", code, rep.Regressions(), stderr, strings.Join(failed, "\n"))
	}
	if len(rep.Packages) == 0 {
		t.Fatal("no packages in the report")
	}
	replaced := map[string]bool{}
	refused := map[string]repatch.Refusal{}
	for _, p := range rep.Packages {
		if p.Native.Passed == 0 || p.Repatched.Passed != p.Native.Passed {
			t.Errorf("%s: native %+v, repatched %+v", p.Path, p.Native, p.Repatched)
		}
		for _, k := range p.Replaced {
			replaced[k[strings.LastIndex(k, "/")+1:]] = true
		}
		for _, r := range p.Refused {
			refused[r.Key[strings.LastIndex(r.Key, "/")+1:]] = r
		}
	}
	// Lowered by the rewriter: unexported fields in composite literals,
	// range over int, min/max/clear, per-iteration loop variables,
	// constants, range over functions (plain, break, continue, labeled,
	// assigned, per-iteration closures, iter.Seq parameters).
	for _, k := range []string{"lang.NewDerived", "lang.Squares", "lang.Extremes", "lang.FloatMax", "lang.Closures", "lang.Workers", "lang.Describe", "lang.Greeting", "lang.Safely", "lang.First",
		"lang.SumUntil", "lang.JoinPairs", "lang.FirstLong", "lang.OddSum", "lang.Adders", "lang.KeysInto", "lang.Keys"} {
		if !replaced[k] {
			t.Errorf("%s was not replaced: %+v", k, refused[k])
		}
	}
	if r, ok := refused["lang.Order"]; !ok || r.Group != "function literal deferred in a loop" {
		t.Errorf("lang.Order: got refusal %+v, want the loop defer refused", r)
	}
	if r, ok := refused["lang.Broadcast"]; !ok || r.Stage != repatch.StageRewrite || !strings.Contains(r.Message, "a range with a value over a collection of channels") {
		t.Errorf("lang.Broadcast: got refusal %+v, want the range with a value over channels refused by the rewriter", r)
	}
	if r, ok := refused["lang.FindIndex"]; !ok || !strings.HasPrefix(r.Group, "a return inside a range over a function") {
		t.Errorf("lang.FindIndex: got refusal %+v, want the return inside a range over a function refused", r)
	}
	if r, ok := refused["lang.Count"]; !ok || r.Stage != repatch.StageRewrite || !strings.Contains(r.Message, "result of type iter.Seq[int]") {
		t.Errorf("lang.Count: got refusal %+v, want its iter.Seq result refused by the rewriter", r)
	}
}

// TestRepatchReportsRegression runs a fixture whose function the
// interpreter still gets wrong: the report names the failing test and the
// command fails.
func TestRepatchReportsRegression(t *testing.T) {
	rep, code, _ := runRepatch(t, "./testdata/fidelitygap")
	if code != 1 {
		t.Errorf("exit code: got %d, want 1", code)
	}
	if len(rep.Packages) != 1 || strings.Join(rep.Packages[0].Regressions, ",") != "TestSwap" {
		var got []string
		for _, p := range rep.Packages {
			got = append(got, fmt.Sprintf("%+v", *p))
		}
		t.Fatalf("regressions: got %s, want TestSwap", strings.Join(got, "; "))
	}
	if p := rep.Packages[0]; p.Native.Passed != 1 || p.Repatched.Failed != 1 {
		t.Errorf("native %+v, repatched %+v: want 1 passed natively, 1 failed repatched", p.Native, p.Repatched)
	}
}
