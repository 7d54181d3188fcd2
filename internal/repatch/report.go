package repatch

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// Report is the result of Run.
type Report struct {
	// Tier is the tier the replaced functions ran in: TierInterpreted,
	// or TierNative (those of PackageReport.RanNative).
	Tier string `json:"tier"`
	// Packages are the packages under test, in the order given by go list.
	Packages []*PackageReport `json:"packages"`
}

// PackageReport is the result of one package.
type PackageReport struct {
	// Path is the package's import path.
	Path string `json:"path"`
	// Dir is the package's directory.
	Dir string `json:"dir"`
	// Replaced lists the keys of the functions that ran interpreted.
	Replaced []string `json:"replaced"`
	// Refused lists the functions of the package that stayed compiled.
	Refused []Refusal `json:"refused"`
	// RanNative lists, in a run of the native tier, the keys of the
	// replaced functions that ran natively, compiled into a plugin; the
	// others of Replaced ran interpreted, and StayedInterpreted says why.
	RanNative         []string  `json:"ranNative,omitempty"`
	StayedInterpreted []Refusal `json:"stayedInterpreted,omitempty"`
	// Native and Repatched are the results of the plain go test and of
	// the repatched test binary.
	Native    Results `json:"native"`
	Repatched Results `json:"repatched"`
	// Regressions names the tests that pass natively and fail, or do not
	// finish, repatched; not the Slow ones.
	Regressions []string `json:"regressions,omitempty"`
	// BuildDifferences are the tests that pass natively and fail
	// repatched, and fail in the patchable test binary without patches
	// too: a difference of the build (-N -l, the agent), not of a patch
	// (builddiff.go); not Regressions.
	BuildDifferences []string `json:"buildDifferences,omitempty"`
	// Slow are the tests that pass natively and ran out of time
	// repatched: interpreted code is slower, which is not wrong.
	Slow []SlowTest `json:"slow,omitempty"`
	// Limits are the tests that pass natively and ended the repatched
	// test binary at a limit of the interpreter (a stack overflow, out of
	// memory): interpreted frames and values are larger than compiled
	// ones, which is not wrong either. The other tests ran again without
	// them.
	Limits []LimitTest `json:"limits,omitempty"`
	// Error says why the package could not be run repatched (a build
	// failure, a binary that never held); empty when it ran.
	Error string `json:"error,omitempty"`
}

// Refusal is one function that stayed compiled, and why.
type Refusal struct {
	// Key names the function as the manifest does.
	Key string `json:"key"`
	// Stage is where it was refused: StageBuild, StageRewrite, StageAgent
	// or StageRun.
	Stage string `json:"stage"`
	// Group is a short summary of the reason, the same for every function
	// refused for that reason (for example "generic function", "range
	// over func", "undefined: min").
	Group string `json:"group"`
	// Message is the full reason.
	Message string `json:"message"`
}

// Stages at which a function can be refused.
const (
	StageBuild   = "not patchable" // the builder gave it no prologue
	StageRewrite = "rewriter"      // the rewriting (package change) refused it
	StageAgent   = "interpreter"   // the agent's compiler refused it
	StageFilter  = "not asked for" // --repatch named other functions
	StageRun     = "run time"      // the interpreter failed running it (an interpreter fault)
	StageNative  = "native tier"   // it ran interpreted: the native tier did not take it (PackageReport.StayedInterpreted)
)

// Results counts the tests of one run by outcome; Tests holds each test's
// final action ("pass", "fail", "skip"), subtests included, by name.
type Results struct {
	Passed  int               `json:"passed"`
	Failed  int               `json:"failed"`
	Skipped int               `json:"skipped"`
	Tests   map[string]string `json:"tests,omitempty"`
	// FailOutput holds the output of each failed test.
	FailOutput map[string]string `json:"failOutput,omitempty"`
	// Output is the run's output when it failed as a whole (a build
	// failure, a panic outside any test); empty otherwise.
	Output string `json:"output,omitempty"`
	// Elapsed holds each top-level test's time in seconds, as the test
	// reported it.
	Elapsed map[string]float64 `json:"elapsed,omitempty"`
	// TimedOut is set when the run ended at its -test.timeout.
	TimedOut bool `json:"timedOut,omitempty"`

	unfinished map[string]bool    // tests that started and had no result when the run ended: true if running, false if paused
	fatal      string             // the runtime's fatal error that ended the run ("stack overflow"), if any
	diedIn     string             // the test whose output holds the first fatal error or panic, if any
	ranFor     map[string]float64 // how long each running unfinished test had run since it last started or resumed, in seconds
}

// count fills the counters from Tests.
func (r *Results) count() {
	r.Passed, r.Failed, r.Skipped = 0, 0, 0
	for _, a := range r.Tests {
		switch a {
		case "pass":
			r.Passed++
		case "fail":
			r.Failed++
		case "skip":
			r.Skipped++
		}
	}
}

// regressions returns the tests that pass in native and not in repatched,
// sorted, less the slow ones and their subtests, the ones that reached a
// limit of the interpreter, and subtests repatched did not run under a
// parent that passed (renamed).
func regressions(native, repatched Results, slow []SlowTest, limits []LimitTest) []string {
	isSlow, atLimit := map[string]bool{}, map[string]bool{}
	for _, s := range slow {
		isSlow[s.Test] = true
	}
	for _, l := range limits {
		// Its parents fail with it when they were not run again.
		for name := l.Test; name != ""; name = parentTest(name) {
			atLimit[name] = true
		}
	}
	var out []string
	for name, a := range native.Tests {
		top, _, _ := strings.Cut(name, "/")
		if _, ran := repatched.Tests[name]; !ran && repatched.Tests[parentTest(name)] == "pass" {
			// A subtest whose name changed between the runs (a pointer
			// or a time in it: testify's TestObjectsAreEqual): its parent
			// passed, which it does only when every subtest did.
			continue
		}
		if a == "pass" && repatched.Tests[name] != "pass" && !isSlow[top] && !atLimit[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Regressions returns the number of regressions over every package,
// packages that could not run repatched counting one each.
func (r *Report) Regressions() int {
	n := 0
	for _, p := range r.Packages {
		n += len(p.Regressions)
		if p.Error != "" && p.Native.Passed > 0 {
			n++
		}
	}
	return n
}

// Totals sums the packages' replaced and refused functions.
func (r *Report) Totals() (replaced, refused int) {
	for _, p := range r.Packages {
		replaced += len(p.Replaced)
		for _, f := range p.Refused {
			if f.Stage != StageFilter {
				refused++
			}
		}
	}
	return replaced, refused
}

// WriteText writes the report as a table of the packages followed by the
// refused functions grouped by reason (and, in a run of the native tier,
// those that stayed interpreted) and the regressions.
func (r *Report) WriteText(w io.Writer) error {
	if err := r.writeTable(w); err != nil {
		return err
	}
	var refused, stayed []Refusal
	for _, p := range r.Packages {
		refused = append(refused, p.Refused...)
		stayed = append(stayed, p.StayedInterpreted...)
	}
	writeGroups(w, "refused, by reason", refused)
	writeGroups(w, "ran interpreted, not natively, by reason", stayed)
	for _, p := range r.Packages {
		p.writeDetails(w)
	}
	return nil
}

// writeTable writes the table of the packages: a native column says how
// many functions ran natively in a run of the native tier.
func (r *Report) writeTable(w io.Writer) error {
	native := r.Tier == TierNative
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	head := "package\treplaced\t"
	if native {
		head += "ran native\t"
	}
	fmt.Fprintln(tw, head+"refused\tnative pass\tfail\tskip\trepatched pass\tfail\tskip\tregressions\t")
	var tot [10]int
	row := func(name string, cols [10]int) {
		fmt.Fprintf(tw, "%s\t%d\t", name, cols[0])
		if native {
			fmt.Fprintf(tw, "%d\t", cols[9])
		}
		for _, c := range cols[1:9] {
			fmt.Fprintf(tw, "%d\t", c)
		}
		fmt.Fprintln(tw)
	}
	for _, p := range r.Packages {
		refused := 0
		for _, f := range p.Refused {
			if f.Stage != StageFilter {
				refused++
			}
		}
		cols := [10]int{len(p.Replaced), refused, p.Native.Passed, p.Native.Failed, p.Native.Skipped,
			p.Repatched.Passed, p.Repatched.Failed, p.Repatched.Skipped, len(p.Regressions), len(p.RanNative)}
		for i := range cols {
			tot[i] += cols[i]
		}
		row(p.Path, cols)
	}
	if len(r.Packages) > 1 {
		row("total", tot)
	}
	return tw.Flush()
}

// writeGroups writes the functions of rs, less those not asked for,
// grouped by stage and reason under title.
func writeGroups(w io.Writer, title string, rs []Refusal) {
	groups := map[string][]string{}
	for _, f := range rs {
		if f.Stage == StageFilter {
			continue
		}
		g := f.Stage + ": " + f.Group
		groups[g] = append(groups[g], f.Key)
	}
	if len(groups) == 0 {
		return
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Slice(names, func(i, j int) bool {
		if len(groups[names[i]]) != len(groups[names[j]]) {
			return len(groups[names[i]]) > len(groups[names[j]])
		}
		return names[i] < names[j]
	})
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, g := range names {
		keys := groups[g]
		fmt.Fprintf(w, "  %d  %s: %s\n", len(keys), g, shortList(keys, 6))
	}
}

// writeDetails writes why p did not run repatched, its regressions with
// their output, and its slow tests.
func (p *PackageReport) writeDetails(w io.Writer) {
	if p.Error != "" {
		fmt.Fprintf(w, "\n%s: not run repatched: %s\n", p.Path, p.Error)
	}
	if len(p.Regressions) > 0 {
		fmt.Fprintf(w, "\n%s: pass natively, fail repatched: %s\n", p.Path, strings.Join(p.Regressions, ", "))
		for _, name := range p.Regressions {
			if out := p.Repatched.FailOutput[name]; out != "" {
				fmt.Fprintf(w, "%s:\n%s\n", name, indent(firstLines(out, 12)))
			}
		}
	}
	if len(p.BuildDifferences) > 0 {
		fmt.Fprintf(w, "\n%s: pass natively, fail repatched and in the patchable build without patches too (built with -N -l, the agent linked: a difference of the build, not of a patch): %s\n", p.Path, strings.Join(p.BuildDifferences, ", "))
	}
	for _, st := range p.Slow {
		fmt.Fprintf(w, "\n%s: %s passes natively (%s) and ran out of time repatched: slow, not wrong%s\n", p.Path, st.Test, seconds(st.Native), st.slowdownText())
	}
	for _, l := range p.Limits {
		fmt.Fprintf(w, "\n%s: %s passes natively and ended the repatched test binary with %q: a limit of the interpreter, not a difference of behavior; the other tests ran again without it\n", p.Path, l.Test, l.Reason)
	}
	if p.Repatched.Output != "" && (len(p.Regressions) > 0 || p.Error != "") {
		fmt.Fprintf(w, "%s repatched output:\n%s\n", p.Path, indent(p.Repatched.Output))
	}
}

// shortList joins up to max keys, saying how many more there are.
func shortList(keys []string, max int) string {
	if len(keys) <= max {
		return strings.Join(keys, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(keys[:max], ", "), len(keys)-max)
}

// firstLines returns the first n lines of s.
func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines[n] = "..."
	}
	return strings.Join(lines, "\n")
}

// indent indents each line of s by four spaces.
func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return "    " + strings.Join(lines, "\n    ")
}
