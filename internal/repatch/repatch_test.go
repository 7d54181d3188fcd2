package repatch

import (
	"go/token"
	"reflect"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/rewrite"
	"github.com/livepatch/livepatch/internal/rewrite/lower"
	"github.com/livepatch/livepatch/target/agent/wire"
)

func TestSplitTestFlags(t *testing.T) {
	bin, build, err := splitTestFlags([]string{"-run", "TestX", "-short", "-count=2", "-v", "-tags", "dev", "--failfast"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-test.run=TestX", "-test.short", "-test.count=2", "-test.failfast"}; !reflect.DeepEqual(bin, want) {
		t.Errorf("binary flags: got %q, want %q", bin, want)
	}
	if want := []string{"-tags=dev"}; !reflect.DeepEqual(build, want) {
		t.Errorf("build flags: got %q, want %q", build, want)
	}
	for _, bad := range [][]string{{"-race"}, {"-run"}, {"pkg"}} {
		if _, _, err := splitTestFlags(bad); err == nil {
			t.Errorf("splitTestFlags(%q) succeeded", bad)
		}
	}
}

// TestSplitTestFlagsAsTyped takes the go test flags in the forms users
// type them: -test. prefixes, -v, bool flags with values.
func TestSplitTestFlagsAsTyped(t *testing.T) {
	bin, build, err := splitTestFlags([]string{"-count=1", "-v", "-test.run=TestX", "-test.v=true", "-test.short", "-failfast=false", "-test.timeout", "30s", "-json"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-test.count=1", "-test.run=TestX", "-test.short", "-test.failfast=false", "-test.timeout=30s"}; !reflect.DeepEqual(bin, want) {
		t.Errorf("binary flags: got %q, want %q", bin, want)
	}
	if len(build) != 0 {
		t.Errorf("build flags: got %q, want none", build)
	}
	for flag, why := range map[string]string{"-race": "race detector", "-coverprofile=c.out": "coverage", "-test.cpuprofile=p": "profile", "-frobnicate": "not supported"} {
		if _, _, err := splitTestFlags([]string{flag}); err == nil || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), flag) {
			t.Errorf("splitTestFlags(%s): got %v, want it named with %q", flag, err, why)
		}
	}
}

func TestReadEvents(t *testing.T) {
	const stream = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"--- SKIP: TestB\n"}
{"Action":"skip","Package":"p","Test":"TestB"}
{"Action":"run","Package":"p","Test":"TestC"}
{"Action":"output","Package":"p","Test":"TestC","Output":"panic: boom\n"}
{"Action":"fail","Package":"p"}
`
	res, err := readEvents(strings.NewReader(stream), "p")
	if err != nil {
		t.Fatal(err)
	}
	r := res["p"]
	if r == nil || r.Passed != 1 || r.Skipped != 1 || r.Failed != 1 {
		t.Fatalf("got %+v, want 1 passed, 1 skipped, 1 failed (TestC died running)", r)
	}
	if !strings.Contains(r.FailOutput["TestC"], "panic: boom") {
		t.Errorf("TestC's output: got %q", r.FailOutput["TestC"])
	}
	native := Results{Tests: map[string]string{"TestA": "pass", "TestB": "pass", "TestC": "pass"}}
	if got, want := regressions(native, *r, nil, nil), []string{"TestB", "TestC"}; !reflect.DeepEqual(got, want) {
		t.Errorf("regressions: got %q, want %q", got, want)
	}
}

func TestGroup(t *testing.T) {
	pos := func(file string, line, col int) token.Position {
		return token.Position{Filename: file, Line: line, Column: col}
	}
	for _, tc := range []struct {
		name, got, want string
	}{
		{"agent compile error", agentGroup(wire.Error{Kind: wire.ErrCompile, File: "a.go", Line: 3, Col: 9, Msg: "undefined: min"}), "undefined: min"},
		{"type error", diagnosticGroup(diag.Diagnostic{Pos: pos("", 3, 9), Kind: diag.Type, Msg: "cannot range over f (variable of type func(yield func(int) bool))"}), "range over func"},
		{"builder", buildGroup(patcher.ReasonGenericBlank), "generic code"},
		{"unnamable type", diagnosticGroup(diag.Diagnostic{Pos: pos("x.go", 1, 2), Kind: diag.RefusedInterpreter, Reason: rewrite.ReasonUnnamableType,
			Msg: "y has type T, which the Go prompt cannot name (a type declared inside a function, or generic)"}), "a type the rewriter cannot name"},
		{"defer in a loop", diagnosticGroup(diag.Diagnostic{Pos: pos("a.go", 9, 3), Kind: diag.RefusedInterpreter, Reason: lower.ReasonDeferInLoop,
			Msg: "a function literal deferred in a loop that assigns i, a variable of the iteration: ..."}), "function literal deferred in a loop"},
		{"iter type in a signature", diagnosticGroup(diag.Diagnostic{Pos: pos("a.go", 2, 14), Kind: diag.RefusedInterpreter, Reason: lower.ReasonIterInSignature,
			Msg: "a parameter or result of a type holding iter.Seq[int]: ..."}), "iter type inside a signature's type"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got group %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

// TestDeadTests finds the test that ended a run: the one running test, or
// among parallel ones, none until the run is serial, then the one whose
// output holds the fatal error; a test that printed its result before
// (whose event test2json held back) is not one.
func TestDeadTests(t *testing.T) {
	const stream = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"run","Package":"p","Test":"TestB/x"}
{"Action":"pause","Package":"p","Test":"TestB/x"}
{"Action":"run","Package":"p","Test":"TestB/y"}
{"Action":"pause","Package":"p","Test":"TestB/y"}
{"Action":"run","Package":"p","Test":"TestB/z"}
{"Action":"pause","Package":"p","Test":"TestB/z"}
{"Action":"cont","Package":"p","Test":"TestB/x"}
{"Action":"cont","Package":"p","Test":"TestB/z"}
{"Action":"output","Package":"p","Test":"TestB/z","Output":"    --- PASS: TestB/z (0.00s)\n"}
{"Action":"cont","Package":"p","Test":"TestB/y"}
{"Action":"output","Package":"p","Test":"TestB/y","Output":"runtime: goroutine stack exceeds 1000000000-byte limit\n"}
{"Action":"output","Package":"p","Test":"TestB/y","Output":"fatal error: stack overflow\n"}
`
	res, err := readEvents(strings.NewReader(stream), "p")
	if err != nil {
		t.Fatal(err)
	}
	r := res["p"]
	if r.fatal != "stack overflow" || r.diedIn != "TestB/y" {
		t.Fatalf("fatal %q in %q, want stack overflow in TestB/y", r.fatal, r.diedIn)
	}
	if dead, known := deadTests(*r, false); known {
		t.Errorf("parallel run: got %q, want it unknown (TestB/x and TestB/y ran)", dead)
	}
	if dead, known := deadTests(*r, true); !known || !reflect.DeepEqual(dead, []string{"TestB/y"}) {
		t.Errorf("serial run: got %q, %v, want TestB/y", dead, known)
	}
	native := Results{Tests: map[string]string{"TestA": "pass", "TestB": "pass", "TestB/x": "pass", "TestB/y": "pass", "TestB/z": "pass", "TestC": "pass"}}
	rest := notFinished(native, *r, []string{"TestB/y"})
	if want := []string{"TestB", "TestC"}; !reflect.DeepEqual(rest, want) {
		t.Errorf("to run again: got %q, want %q", rest, want)
	}
	args := withSkip(withRun([]string{"-test.skip=X"}, rest), []string{"TestB/y"}, rest)
	if want := []string{"-test.run=^(TestB|TestC)$", "-test.skip=^(TestB)$/^(y)$"}; !reflect.DeepEqual(args, want) {
		t.Errorf("args: got %q, want %q", args, want)
	}
	limits := []LimitTest{{Test: "TestB/y", Reason: "stack overflow"}}
	if r.Tests["TestB/z"] != "pass" {
		t.Errorf("TestB/z printed its pass: got %q", r.Tests["TestB/z"])
	}
	if got := regressions(native, *r, nil, limits); !reflect.DeepEqual(got, []string{"TestB/x", "TestC"}) {
		t.Errorf("regressions: got %q", got)
	}
}

// TestDeadTestsTimedOut finds, in a run that ran out of time, the tests
// it was running: the parallel tests still paused, which never ran, are
// not slow, and run again. A slow test ran from its last resume to the
// run's end (3 s here, where the time limit less the other tests' times
// says 1.5 s).
func TestDeadTestsTimedOut(t *testing.T) {
	const stream = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0.5}
{"Action":"run","Package":"p","Test":"TestP1"}
{"Action":"pause","Package":"p","Test":"TestP1"}
{"Action":"run","Package":"p","Test":"TestP2"}
{"Action":"pause","Package":"p","Test":"TestP2"}
{"Action":"run","Package":"p","Test":"TestP3"}
{"Action":"pause","Package":"p","Test":"TestP3"}
{"Action":"cont","Package":"p","Test":"TestP1","Time":"2026-01-02T10:00:01Z"}
{"Action":"output","Package":"p","Output":"panic: test timed out after 2s\n","Time":"2026-01-02T10:00:04Z"}
`
	res, err := readEvents(strings.NewReader(stream), "p")
	if err != nil {
		t.Fatal(err)
	}
	r := res["p"]
	dead, known := deadTests(*r, false)
	if !r.TimedOut || !known || !reflect.DeepEqual(dead, []string{"TestP1"}) {
		t.Fatalf("timed out %v: got %q, %v, want TestP1", r.TimedOut, dead, known)
	}
	native := Results{Tests: map[string]string{"TestA": "pass", "TestP1": "pass", "TestP2": "pass", "TestP3": "pass"}, Elapsed: map[string]float64{"TestP1": 0.01}}
	if rest, want := notFinished(native, *r, dead), []string{"TestP2", "TestP3"}; !reflect.DeepEqual(rest, want) {
		t.Errorf("to run again: got %q, want %q", rest, want)
	}
	pr := &PackageReport{Native: native}
	noteSlow(pr, *r, 2, dead)
	if len(pr.Slow) != 1 || pr.Slow[0].Test != "TestP1" || pr.Slow[0].Repatched != 3 || pr.Slow[0].Slowdown != 300 {
		t.Errorf("slow: got %+v, want TestP1 only, 3 s repatched, 300x", pr.Slow)
	}
}

// TestDeadTestsPanicked finds the test that ended a run by panicking: it
// printed its failure before the panic ended the binary, so none is
// unfinished, and the tests after it, which never ran, run again.
func TestDeadTestsPanicked(t *testing.T) {
	const stream = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"--- FAIL: TestB (0.00s)\n"}
{"Action":"output","Package":"p","Test":"TestB","Output":"panic: runtime error: invalid memory address or nil pointer dereference [recovered, repanicked]\n"}
`
	res, err := readEvents(strings.NewReader(stream), "p")
	if err != nil {
		t.Fatal(err)
	}
	r := res["p"]
	native := Results{Tests: map[string]string{"TestA": "pass", "TestB": "pass", "TestC": "pass"}}
	if !diedEarly(native, *r, nil) {
		t.Fatalf("the run is not seen to have died (unfinished %v, died in %q)", r.unfinished, r.diedIn)
	}
	dead, known := deadTests(*r, false)
	if !known || !reflect.DeepEqual(dead, []string{"TestB"}) {
		t.Errorf("dead: got %q, %v, want TestB", dead, known)
	}
	if rest, want := notFinished(native, *r, dead), []string{"TestC"}; !reflect.DeepEqual(rest, want) {
		t.Errorf("to run again: got %q, want %q", rest, want)
	}
	if r.Tests["TestB"] != "fail" {
		t.Errorf("TestB: got %q, want fail", r.Tests["TestB"])
	}
	all := Results{Tests: map[string]string{"TestA": "pass", "TestB": "pass"}}
	if diedEarly(all, *r, dead) {
		t.Error("died early with every test run")
	}
}

// TestRegressionsRenamedSubtests does not count as a regression a subtest
// that the repatched run does not have under a parent that passed (its
// name holds a pointer, which differs between the runs), and does count
// one under a parent that failed.
func TestRegressionsRenamedSubtests(t *testing.T) {
	native := Results{Tests: map[string]string{"TestA": "pass", "TestA/f(0xc000010)": "pass", "TestB": "pass", "TestB/g(0xc000020)": "pass"}}
	repatched := Results{Tests: map[string]string{"TestA": "pass", "TestA/f(0xc000990)": "pass", "TestB": "fail", "TestB/g(0xc000880)": "fail"}}
	if got, want := regressions(native, repatched, nil, nil), []string{"TestB", "TestB/g(0xc000020)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("regressions: got %q, want %q", got, want)
	}
}
