package repatch

import (
	"fmt"
	"regexp"
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

// noteSlow records in pr, as slow, the natively passing ones of running,
// the top-level tests that res, a run that reached its time limit of
// limit seconds, was running: each ran as long as the events' times say,
// or else the time limit less the time of the tests that finished.
func noteSlow(pr *PackageReport, res Results, limit float64, running []string) {
	ran := limit
	for name, e := range res.Elapsed {
		if _, unfinished := res.unfinished[name]; !unfinished {
			ran -= e
		}
	}
	for _, name := range running {
		if pr.Native.Tests[name] == "pass" {
			st := SlowTest{Test: name, Native: pr.Native.Elapsed[name], Repatched: max(ran, 0)}
			if t := res.ranFor[name]; t > 0 {
				st.Repatched = t
			}
			if st.Native > 0 {
				st.Slowdown = st.Repatched / st.Native
			}
			pr.Slow = append(pr.Slow, st)
		}
	}
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
	res.TimedOut, res.unfinished, res.fatal, res.diedIn, res.ranFor = next.TimedOut, next.unfinished, next.fatal, next.diedIn, next.ranFor
	res.count()
	return res
}
