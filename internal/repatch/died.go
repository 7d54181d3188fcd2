package repatch

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// LimitTest is a test that passes natively and ended its repatched test
// binary at a limit of the interpreter: a fatal error of the Go runtime
// that no program survives, such as a stack overflow (an interpreted
// call takes several compiled frames, so recursion that fits the stack
// compiled may not fit it interpreted) or running out of memory.
type LimitTest struct {
	// Test is the test's name, a subtest's with its parents'.
	Test string `json:"test"`
	// Reason is the runtime's message ("stack overflow").
	Reason string `json:"reason"`
}

// limitErrors are the runtime's fatal errors that a limit of the
// interpreter (its frames, its allocations) explains; other fatal errors
// ("concurrent map writes") are failures like any other.
var limitErrors = []string{"stack overflow", "runtime: out of memory", "out of memory"}

// finishDied handles a repatched run whose test binary died while tests
// ran: at its -test.timeout, of a fatal error of the runtime, or of a
// panic. The natively passing tests that died are recorded in pr: as slow
// when the time ran out, as limits of the interpreter for the fatal errors
// of limitErrors; a panic stays a failure. The tests that did not finish
// are then run again (r, with -test.run naming them and -test.skip the
// dead subtests), so that one test never takes the rest of the package's
// tests with it, until a run ends with every test finished or nothing is
// left to run. It returns the results of all the runs together.
func finishDied(ctx context.Context, r heldRun, pr *PackageReport, res Results) Results {
	limit := timeLimit(r.args)
	userSkip := hasFlag(r.args, "skip")
	var dead []string
	serial := false
	for round := 0; diedEarly(pr.Native, res, dead) && round < maxFaultRuns; round++ {
		killed, known := deadTests(res, serial)
		switch {
		case !known:
			// Run them again one at a time, to see which one dies.
			serial = true
		case res.TimedOut:
			noteSlow(pr, res, limit, killed)
		case slices.Contains(limitErrors, res.fatal):
			for _, name := range killed {
				if pr.Native.Tests[name] == "pass" {
					pr.Limits = append(pr.Limits, LimitTest{Test: name, Reason: res.fatal})
				}
			}
		}
		if userSkip {
			// One -test.skip pattern: the user's stays, and a dead
			// subtest costs its whole top-level test.
			for i, name := range killed {
				killed[i] = topTest(name)
			}
		}
		dead = append(dead, killed...)
		rest := notFinished(pr.Native, res, dead)
		if len(rest) == 0 {
			break
		}
		again := r
		again.args = withSkip(withRun(r.args, rest), dead, rest)
		if serial {
			again.args = withParallel1(again.args)
		}
		next, _, _, err := runHeld(ctx, again)
		if err != nil {
			break
		}
		res = merged(res, next)
	}
	sort.Slice(pr.Slow, func(i, j int) bool { return pr.Slow[i].Test < pr.Slow[j].Test })
	sort.Slice(pr.Limits, func(i, j int) bool { return pr.Limits[i].Test < pr.Limits[j].Test })
	return res
}

// diedEarly reports whether res's test binary died while tests ran: a
// test had not finished, or one panicked (or the runtime threw) and
// natively passing tests never ran. A test that panics prints its FAIL
// line before the panic ends the binary, so that it is not unfinished
// (expr-lang/expr's vm: the 111 tests after the one that panicked were
// lost).
func diedEarly(native, res Results, dead []string) bool {
	if len(res.unfinished) > 0 {
		return true
	}
	return (res.diedIn != "" || res.fatal != "") && len(notFinished(native, res, dead)) > 0
}

// deathText says what ended res's test binary.
func deathText(res Results) string {
	switch {
	case res.TimedOut:
		return "out of time"
	case res.fatal != "":
		return "fatal error: " + res.fatal
	}
	return "a panic, or a signal"
}

// deadTests returns the tests of res, a run that ended while tests ran,
// that ended it, and whether it can tell. When the time ran out, they
// are the top-level tests it was running: not the parallel ones still
// paused, waiting for their turn, which never ran (all the unfinished
// ones when none was running). Else it is the test that panicked, when
// none is unfinished (it printed its failure first), or the one running test
// (not paused, with no running subtest) when there is one. With several
// parallel tests running, test2json gives the runtime's message to
// whichever test wrote last, so it can tell only when serial (the run
// had -test.parallel=1): then it is the test whose output holds the
// fatal error or panic, or every running one.
func deadTests(res Results, serial bool) ([]string, bool) {
	var out []string
	if res.TimedOut {
		var paused []string
		for name, running := range res.unfinished {
			switch {
			case strings.Contains(name, "/"):
			case running:
				out = append(out, name)
			default:
				paused = append(paused, name)
			}
		}
		if len(out) == 0 {
			out = paused
		}
		sort.Strings(out)
		return out, true
	}
	if len(res.unfinished) == 0 {
		// The test that panicked finished, failing (diedEarly).
		if res.diedIn != "" {
			return []string{res.diedIn}, true
		}
		return nil, true
	}
	inner := map[string]bool{}
	for name, running := range res.unfinished {
		for p := parentTest(name); running && p != ""; p = parentTest(p) {
			inner[p] = true
		}
	}
	for name, running := range res.unfinished {
		if running && !inner[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	switch {
	case len(out) == 1:
		return out, true
	case !serial:
		return nil, false
	case slices.Contains(out, res.diedIn):
		return []string{res.diedIn}, true
	}
	return out, true
}

// notFinished returns, sorted, the top-level tests of native that res has
// not finished (never started, or running when its binary died) and that
// are not dead.
func notFinished(native, res Results, dead []string) []string {
	var out []string
	for name := range native.Tests {
		if strings.Contains(name, "/") || slices.Contains(dead, name) {
			continue
		}
		_, ran := res.Tests[name]
		if _, unfinished := res.unfinished[name]; !ran || unfinished {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// withSkip returns the test binary's args with -test.skip skipping the
// dead subtests under the top-level tests of run; the args are returned
// unchanged when there are none. The pattern matches level by level, as
// go test's do: with dead subtests of different depths it skips at the
// shallowest depth, and with several it skips every combination of their
// levels' names, which may skip a living test beside them.
func withSkip(args, dead, run []string) []string {
	var paths [][]string
	depth := 0
	for _, name := range dead {
		if strings.Contains(name, "/") && slices.Contains(run, topTest(name)) {
			p := strings.Split(name, "/")
			paths = append(paths, p)
			if depth == 0 || len(p) < depth {
				depth = len(p)
			}
		}
	}
	if len(paths) == 0 {
		return args
	}
	levels := make([][]string, depth)
	for _, p := range paths {
		for i := range depth {
			if q := regexp.QuoteMeta(p[i]); !slices.Contains(levels[i], q) {
				levels[i] = append(levels[i], q)
			}
		}
	}
	elems := make([]string, depth)
	for i, l := range levels {
		elems[i] = "^(" + strings.Join(l, "|") + ")$"
	}
	out := slices.DeleteFunc(slices.Clone(args), func(a string) bool {
		n, _, _ := flagName(a)
		return n == "skip"
	})
	return append(out, "-test.skip="+strings.Join(elems, "/"))
}

// withParallel1 returns the test binary's args with -test.parallel=1:
// parallel tests then run one at a time.
func withParallel1(args []string) []string {
	out := slices.DeleteFunc(slices.Clone(args), func(a string) bool {
		n, _, _ := flagName(a)
		return n == "parallel"
	})
	return append(out, "-test.parallel=1")
}

// parentTest returns the name of the test whose subtest name is; "" for a
// top-level test.
func parentTest(name string) string {
	i := strings.LastIndex(name, "/")
	if i < 0 {
		return ""
	}
	return name[:i]
}

// topTest returns the name of the top-level test of name.
func topTest(name string) string {
	top, _, _ := strings.Cut(name, "/")
	return top
}
