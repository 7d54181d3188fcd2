package repatch

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"
	"time"
)

// event is one test2json event (see `go doc test2json`).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
	Time    time.Time
}

// timedOut starts the line of a test binary's panic when its -test.timeout
// passes.
const timedOut = "panic: test timed out after "

// fatalError starts the line of the Go runtime's fatal errors ("fatal
// error: stack overflow"), which end a program at once, recover or not.
const fatalError = "fatal error: "

// maxOutput bounds the output kept of a run that failed as a whole.
const maxOutput = 16 << 10

// readEvents reads test2json events from r and returns each package's
// results. A test that started and has no result when the events end
// failed: the binary died while it ran. Lines that are not events are kept as output of the package
// named by pkg (go test -json writes build errors that way on older
// versions). A package's own output is kept when the package fails.
func readEvents(r io.Reader, pkg string) (map[string]*Results, error) {
	er := &eventReader{
		out: map[string]*Results{}, text: map[string]*strings.Builder{}, testText: map[testKey]*strings.Builder{},
		failed: map[string]bool{}, started: map[testKey]time.Time{}, paused: map[testKey]bool{}, reported: map[testKey]string{},
		resumed: map[testKey]time.Time{},
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
			er.get(pkg)
			appendCapped(er.text[pkg], string(line)+"\n")
			continue
		}
		if ev.Package == "" {
			ev.Package = pkg
		}
		er.add(ev)
	}
	er.finish()
	return er.out, sc.Err()
}

// noteRan records how long the unfinished test name ran, from its start
// or its last resume to the last event, when the events have times.
func (r *Results) noteRan(name string, from, last time.Time) {
	if !r.unfinished[name] || from.IsZero() || last.Before(from) {
		return
	}
	if r.ranFor == nil {
		r.ranFor = map[string]float64{}
	}
	r.ranFor[name] = last.Sub(from).Seconds()
}

// testKey is a test by package and name.
type testKey [2]string

// eventReader is the state of readEvents.
type eventReader struct {
	out      map[string]*Results
	text     map[string]*strings.Builder  // each package's output
	testText map[testKey]*strings.Builder // each test's output
	failed   map[string]bool              // packages that failed
	started  map[testKey]time.Time
	paused   map[testKey]bool      // parallel tests waiting for their turn
	resumed  map[testKey]time.Time // when each test started or last resumed
	last     time.Time             // the time of the last event
	reported map[testKey]string    // results printed whose events never came
}

// get returns package p's results.
func (er *eventReader) get(p string) *Results {
	if er.out[p] == nil {
		er.out[p] = &Results{Tests: map[string]string{}}
		er.text[p] = &strings.Builder{}
	}
	return er.out[p]
}

// add takes one event.
func (er *eventReader) add(ev event) {
	res := er.get(ev.Package)
	k := testKey{ev.Package, ev.Test}
	if !ev.Time.IsZero() {
		er.last = ev.Time
	}
	switch ev.Action {
	case "run":
		if _, done := res.Tests[ev.Test]; !done {
			res.Tests[ev.Test] = "" // started; no result yet
			er.started[k] = ev.Time
			er.resumed[k] = ev.Time
		}
	case "pause", "cont":
		er.paused[k] = ev.Action == "pause"
		er.resumed[k] = ev.Time
	case "pass", "fail", "skip":
		if ev.Test != "" {
			res.Tests[ev.Test] = ev.Action
			if !strings.Contains(ev.Test, "/") {
				res.noteElapsed(ev, er.started[k])
			}
		} else if ev.Action == "fail" {
			er.failed[ev.Package] = true
		}
	case "output", "build-output":
		appendCapped(er.text[ev.Package], ev.Output)
		if strings.HasPrefix(ev.Output, timedOut) {
			res.TimedOut = true
		}
		res.noteDeath(ev)
		if a := reportedResult(ev); a != "" {
			er.reported[k] = a
		}
		if ev.Test != "" {
			if er.testText[k] == nil {
				er.testText[k] = &strings.Builder{}
			}
			appendCapped(er.testText[k], ev.Output)
		}
	case "build-fail":
		er.failed[ev.Package] = true
	}
}

// finish completes the results once the events end.
func (er *eventReader) finish() {
	// A test that started and never ended was running when the binary
	// died: it failed.
	for p, res := range er.out {
		for name, a := range res.Tests {
			if r := er.reported[testKey{p, name}]; a == "" && r != "" {
				// test2json holds a result back until the next line
				// frames it, which a binary that died never wrote.
				res.Tests[name] = r
			} else if a == "" {
				res.Tests[name] = "fail"
				if res.unfinished == nil {
					res.unfinished = map[string]bool{}
				}
				res.unfinished[name] = !er.paused[testKey{p, name}]
				res.noteRan(name, er.resumed[testKey{p, name}], er.last)
			}
		}
	}
	for k, b := range er.testText {
		if res := er.out[k[0]]; res.Tests[k[1]] == "fail" {
			if res.FailOutput == nil {
				res.FailOutput = map[string]string{}
			}
			res.FailOutput[k[1]] = b.String()
		}
	}
	for p, res := range er.out {
		res.count()
		if er.failed[p] && res.Failed == 0 {
			res.Output = er.text[p].String()
		}
	}
}

// reportedResult returns the result ev, an output event, prints for its
// own test ("--- PASS: T (0.00s)"), or "".
func reportedResult(ev event) string {
	line := strings.TrimLeft(ev.Output, " \t")
	for _, a := range []string{"pass", "fail", "skip"} {
		if strings.HasPrefix(line, "--- "+strings.ToUpper(a)+": "+ev.Test+" (") {
			return a
		}
	}
	return ""
}

// noteDeath records, from an output event, the first fatal error of the
// Go runtime and the test whose output holds the first fatal error or
// panic.
func (r *Results) noteDeath(ev event) {
	msg, fatal := strings.CutPrefix(ev.Output, fatalError)
	if !fatal && !strings.HasPrefix(ev.Output, "panic: ") {
		return
	}
	if fatal && r.fatal == "" {
		r.fatal = strings.TrimSpace(msg)
	}
	if r.diedIn == "" {
		r.diedIn = ev.Test
	}
}

// appendCapped appends s to b unless b holds maxOutput bytes already.
func appendCapped(b *strings.Builder, s string) {
	if b.Len() < maxOutput {
		b.WriteString(s)
	}
}

// noteElapsed records the time of the test whose result ev is and that
// started at start: the time the test reported, or (`go tool test2json`
// gives none) the time between its events.
func (r *Results) noteElapsed(ev event, start time.Time) {
	e := ev.Elapsed
	if e == 0 && !start.IsZero() && !ev.Time.IsZero() {
		e = ev.Time.Sub(start).Seconds()
	}
	if r.Elapsed == nil {
		r.Elapsed = map[string]float64{}
	}
	r.Elapsed[ev.Test] = e
}
