package integration

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/repatch"
	"github.com/livepatch/livepatch/internal/testenv"
)

// runRepatch runs `livepatch test --repatch=all --json` on pkgs (and go
// test flags) and returns the report and the exit code.
func runRepatch(t *testing.T, pkgs ...string) (*repatch.Report, int, string) {
	t.Helper()
	args := append([]string{"test", "--repatch=all", "--json"}, pkgs...)
	cmd := exec.CommandContext(testenv.Context(t), livepatchBinary(t), args...)
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
	// Every function of the fixtures runs interpreted but these, which stay
	// compiled for the reason given (a part of the refusal's message).
	wantRefused := map[string]string{
		"lang.DecodeEnvelope": "a struct type with an embedded field among others",
		// yaegi gives such a struct reflect.StructOf's panicking method
		// stubs.
		"lang.DescribeBoxed":   "a struct type embedding a compiled interface",
		"lang.MeasureEmbedded": "a struct type embedding a compiled interface",
		"lang.ReadHidden":      "a struct type embedding a compiled interface",
		"lang.SortDescending":  "a struct type embedding a compiled interface",
		// reflect.StructOf cannot make unexported fields: yaegi's unnamed
		// struct types differ from the compiled ones.
		"lang.ResetHits": "a struct type without a name with unexported fields",
		"lang.newHits":   "does not fit",
		"lang.pair":      "does not fit",
		// yaegi never takes a clause that falls through after a default;
		// this default's place matters (a fallthrough leads into it).
		"lang.FallIntoDefault": "a switch whose default clause is not the last, with a fallthrough into or out of it",
		// yaegi loops forever on a break out of a select to its loop.
		"lang.(*Postbox).Drain": "break loop inside a select leaves it for an enclosing statement",
		// yaegi recovers a panic before it runs a frame's deferred calls,
		// and a replaced function's recover is not called by the deferring
		// frame: neither sees the panic.
		"lang.CatchByMethod": "catch calls recover",
		// reflect.StructOf names unexported fields X+name: %+v and
		// encoding/json would see them so.
		"lang.LocalFields":    "reflect would show as X+name",
		"lang.(*guard).catch": "calls recover",
	}
	replaced := 0
	for _, p := range rep.Packages {
		if p.Native.Passed == 0 || p.Repatched.Passed != p.Native.Passed {
			t.Errorf("%s: native %+v, repatched %+v", p.Path, p.Native, p.Repatched)
		}
		replaced += len(p.Replaced)
		for _, r := range p.Refused {
			name := r.Key[strings.LastIndex(r.Key, "/")+1:]
			want, ok := wantRefused[name]
			switch {
			case !ok:
				t.Errorf("%s was not replaced: %s: %s", name, r.Stage, r.Message)
			case !strings.Contains(r.Message, want):
				t.Errorf("%s: refused with %q, want the reason %q", name, r.Message, want)
			}
			delete(wantRefused, name)
		}
	}
	for name, why := range wantRefused {
		t.Errorf("%s was replaced, want it refused: %s", name, why)
	}
	if replaced < 100 {
		t.Errorf("%d functions replaced, want the fixtures' (over 100)", replaced)
	}
}

// TestRepatchReportsRegression runs a fixture whose function behaves
// differently interpreted, whatever the interpreter (it asks the runtime
// which function runs it): the report names the failing test and the
// command fails.
func TestRepatchReportsRegression(t *testing.T) {
	rep, code, _ := runRepatch(t, "./testdata/fidelitygap")
	if code != 1 {
		t.Errorf("exit code: got %d, want 1", code)
	}
	if len(rep.Packages) != 1 || strings.Join(rep.Packages[0].Regressions, ",") != "TestRunsCompiled" {
		var got []string
		for _, p := range rep.Packages {
			got = append(got, fmt.Sprintf("%+v", *p))
		}
		t.Fatalf("regressions: got %s, want TestRunsCompiled", strings.Join(got, "; "))
	}
	if p := rep.Packages[0]; p.Native.Passed != 1 || p.Repatched.Failed != 1 {
		t.Errorf("native %+v, repatched %+v: want 1 passed natively, 1 failed repatched", p.Native, p.Repatched)
	}
}

// TestRepatchBuildDifference runs a package with a test that fails in the
// patchable test binary whatever the patches (it checks that it is built with optimizations):
// it is run again without patches, fails there too, and is reported as a
// difference of the build, not as a regression.
func TestRepatchBuildDifference(t *testing.T) {
	rep, code, stderr := runRepatch(t, "./testdata/builddiff")
	if code != 0 || len(rep.Packages) != 1 {
		t.Fatalf("exit code %d, %d packages; stderr:\n%s", code, len(rep.Packages), stderr)
	}
	p := rep.Packages[0]
	if len(p.Regressions) != 0 || strings.Join(p.BuildDifferences, ",") != "TestOptimized" {
		t.Errorf("regressions %q, build differences %q: want none, and TestOptimized", p.Regressions, p.BuildDifferences)
	}
	if p.Native.Passed != 2 || p.Repatched.Passed != 1 || p.Repatched.Failed != 1 {
		t.Errorf("native %+v, repatched %+v: want 2 passed natively, 1 failed repatched", p.Native, p.Repatched)
	}
}

// TestRepatchKeepsGoingAfterFault runs a package one of whose functions
// trips the interpreter at run time: that function is kept compiled with
// the interpreter's message as the reason, the tests are judged again
// without it, and no test counts as a regression (issue 17).
func TestRepatchKeepsGoingAfterFault(t *testing.T) {
	rep, code, stderr := runRepatch(t, "./testdata/fault")
	if code != 0 || len(rep.Packages) != 1 {
		t.Fatalf("exit code %d, %d packages; stderr:\n%s", code, len(rep.Packages), stderr)
	}
	p := rep.Packages[0]
	if len(p.Regressions) != 0 || p.Repatched.Passed != 2 {
		t.Errorf("regressions %q, repatched %+v: want both tests passing", p.Regressions, p.Repatched)
	}
	var faulted []string
	for _, r := range p.Refused {
		if strings.HasPrefix(r.Message, "interpreter fault at run time: ") {
			faulted = append(faulted, r.Key)
			if !strings.Contains(r.Message, "reflect") {
				t.Errorf("%s: reason %q lacks the interpreter's message", r.Key, r.Message)
			}
		}
	}
	if strings.Join(faulted, ",") != "github.com/livepatch/livepatch/integration/testdata/fault.FirstInc" {
		t.Errorf("kept compiled for a fault: %q, want FirstInc; refused: %+v", faulted, p.Refused)
	}
	if !slices.Contains(p.Replaced, "github.com/livepatch/livepatch/integration/testdata/fault.Twice") {
		t.Errorf("Twice was not replaced: %q", p.Replaced)
	}
}

// TestRepatchSlowIsNotWrong runs a package whose first test takes
// milliseconds compiled and seconds interpreted, with go test's time limit
// as users type it (-timeout=1s, among the packages): the test is reported
// as slow, with its slowdown, not as a regression, and the test after it,
// which the run that timed out never reached, is run again and passes
// (issue 17).
func TestRepatchSlowIsNotWrong(t *testing.T) {
	rep, code, stderr := runRepatch(t, "./testdata/slow", "-timeout=1s", "-count=1")
	if code != 0 || len(rep.Packages) != 1 {
		t.Fatalf("exit code %d, %d packages; stderr:\n%s", code, len(rep.Packages), stderr)
	}
	p := rep.Packages[0]
	if len(p.Regressions) != 0 || p.Repatched.Tests["TestHalf"] != "pass" {
		t.Errorf("regressions %q, repatched %+v: want TestHalf passing and none", p.Regressions, p.Repatched)
	}
	if len(p.Slow) != 1 || p.Slow[0].Test != "TestSpin" || p.Slow[0].Slowdown < 2 || p.Slow[0].Repatched < 0.5 {
		t.Errorf("slow tests: got %+v, want TestSpin, measured at least 2x slower", p.Slow)
	}
}

// TestRepatchSurvivesFatalError runs a package one of whose subtests
// overflows its stack interpreted (a fatal error of the runtime, which
// ends the test binary at once) and not compiled: that subtest is
// reported as a limit of the interpreter, not as a regression, and the
// tests it would have taken with it, its sibling subtest and the test
// after it, run again without it and pass (issue 17).
func TestRepatchSurvivesFatalError(t *testing.T) {
	rep, code, stderr := runRepatch(t, "./testdata/deep")
	if code != 0 || len(rep.Packages) != 1 {
		t.Fatalf("exit code %d, %d packages; stderr:\n%s", code, len(rep.Packages), stderr)
	}
	p := rep.Packages[0]
	for _, name := range []string{"TestBefore", "TestDeep/after", "TestAfter"} {
		if p.Repatched.Tests[name] != "pass" {
			t.Errorf("%s: got %q repatched, want pass", name, p.Repatched.Tests[name])
		}
	}
	if len(p.Regressions) != 0 {
		t.Errorf("regressions %q, want none", p.Regressions)
	}
	if len(p.Limits) != 1 || p.Limits[0].Test != "TestDeep/recurse" || p.Limits[0].Reason != "stack overflow" {
		t.Errorf("limits: got %+v, want TestDeep/recurse with stack overflow", p.Limits)
	}
}
