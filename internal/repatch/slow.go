package repatch

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// SlowTest is a test that passes natively and ran out of time repatched:
// the run reached its -test.timeout while the test ran. Interpreted code
// is slower than compiled code; that is not a difference of behavior, and
// the tests that had not run then are run again.
type SlowTest struct {
	// Test is the top-level test's name.
	Test string `json:"test"`
	// Native is its time in the native run, in seconds.
	Native float64 `json:"nativeSeconds"`
	// Repatched is how long it ran repatched at least, in seconds: the
	// run's time limit less the time of the tests that finished in it.
	Repatched float64 `json:"repatchedSeconds"`
	// Slowdown is Repatched over Native, a lower bound of how many times
	// slower it ran interpreted; 0 when its native time is too short to
	// tell.
	Slowdown float64 `json:"slowdown,omitempty"`
}

// slowdownText says the slowdown, when measured.
func (s SlowTest) slowdownText() string {
	if s.Slowdown == 0 {
		return fmt.Sprintf(" (it ran for more than %s)", seconds(s.Repatched))
	}
	return fmt.Sprintf(" (it ran for more than %s, at least %.0fx slower interpreted)", seconds(s.Repatched), s.Slowdown)
}

// seconds formats a test's time.
func seconds(s float64) string { return fmt.Sprintf("%.2fs", s) }

// finishTimedOut handles a repatched run that reached its time limit: the
// natively passing tests it was running are recorded as slow in pr, and
// the tests it had not started are run again (r, with -test.run naming
// them), until a run ends in time or runs nothing new. It returns the
// results of all the runs together.
func finishTimedOut(ctx context.Context, r heldRun, pr *PackageReport, res Results) Results {
	limit := timeLimit(r.args)
	for round := 0; res.TimedOut && round < maxFaultRuns; round++ {
		ran := limit
		for name, e := range res.Elapsed {
			if !res.unfinished[name] {
				ran -= e
			}
		}
		for name := range res.unfinished {
			if !strings.Contains(name, "/") && pr.Native.Tests[name] == "pass" {
				st := SlowTest{Test: name, Native: pr.Native.Elapsed[name], Repatched: max(ran, 0)}
				if st.Native > 0 {
					st.Slowdown = st.Repatched / st.Native
				}
				pr.Slow = append(pr.Slow, st)
			}
		}
		var rest []string
		for name := range pr.Native.Tests {
			if _, ran := res.Tests[name]; !ran && !strings.Contains(name, "/") {
				rest = append(rest, name)
			}
		}
		if len(rest) == 0 {
			break
		}
		sort.Strings(rest)
		again := r
		again.args = withRun(r.args, rest)
		next, _, _, err := runHeld(ctx, again)
		if err != nil {
			break
		}
		res = merged(res, next)
	}
	sort.Slice(pr.Slow, func(i, j int) bool { return pr.Slow[i].Test < pr.Slow[j].Test })
	return res
}

// timeLimit returns the -test.timeout of the test binary's args, in
// seconds: go test's default when they set none.
func timeLimit(args []string) float64 {
	v := defaultTestTimeout
	for _, a := range args {
		if n, val, ok := flagName(a); n == "timeout" && ok {
			v = val
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0
	}
	return d.Seconds()
}

// withRun returns the test binary's args with -test.run selecting exactly
// the top-level tests names.
func withRun(args, names []string) []string {
	var out []string
	for _, a := range args {
		if n, _, _ := flagName(a); n != "run" {
			out = append(out, a)
		}
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return append(out, "-test.run=^("+strings.Join(quoted, "|")+")$")
}

// merged returns res with the results of the later run next added.
func merged(res, next Results) Results {
	for name, a := range next.Tests {
		res.Tests[name] = a
	}
	for name, out := range next.FailOutput {
		if res.FailOutput == nil {
			res.FailOutput = map[string]string{}
		}
		res.FailOutput[name] = out
	}
	for name, e := range next.Elapsed {
		if res.Elapsed == nil {
			res.Elapsed = map[string]float64{}
		}
		res.Elapsed[name] = e
	}
	res.TimedOut, res.unfinished = next.TimedOut, next.unfinished
	res.count()
	return res
}
