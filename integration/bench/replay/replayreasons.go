package replay

import (
	"regexp"
	"slices"
	"strings"
)

// The replay reads only the console's text: what livepatch says of a save
// is its interface to the user, and stays readable whatever its insides
// become. These are the lines and words it goes by.
const (
	// nothingApplied ends the report of a save that was refused or failed.
	nothingApplied = "nothing of this save was applied"
	// restartToApply ends a refusal that only a restart can apply.
	restartToApply = "restart to apply"
)

// lineKind is what one console line says about a save.
type lineKind int

const (
	lineInfo    lineKind = iota // a note, "added method", "reverted": neither applied nor refused
	linePatched                 // "patched NAME (file:line)"
	lineRefusal                 // a change refused, with its reason
	lineFailure                 // livepatch failed: not a verdict on the change
)

// Outcomes of a replayed version pair.
const (
	outcomeApplied = "applied"
	outcomeRefused = "refused"
	outcomeFailed  = "failed"
	outcomeSkipped = "skipped"
)

// positionRE matches the position a diagnostic starts with: file:line:col
// or file: (a type error or a refusal in a file), or line:col (code the
// interpreter cannot run).
var positionRE = regexp.MustCompile(`^(?:([\w.+-]+\.go)(?::\d+:\d+)?|\d+:\d+): `)

// failureWords mark lines where livepatch itself failed (a revert, the
// watcher, the agent out of reach), as opposed to a reasoned refusal.
var failureWords = []string{"revert failed", "not watching your files", "not applied yet"}

// classifyLine says what one console line reports and, for a refusal, its
// reason: one of the groups of reasonGroups, "other" or typeErrorReason.
// nothingOfIt says whether the output the line came in ends with "nothing
// of this save was applied": there, positioned lines are the refusal's
// diagnostics and unpositioned ones that name no reason are the agent's
// failures; elsewhere, lines that do not say "restart to apply" are notes.
func classifyLine(line string, nothingOfIt bool) (lineKind, string) {
	line = strings.TrimSpace(line)
	switch {
	case line == "" || line == "livepatch: "+nothingApplied,
		strings.HasPrefix(line, "livepatch: "+nothingApplied+": "+waitingForEdits):
		// A wait for edits of compiled functions that the refusal lines
		// before it name ("edit those functions too, or restart to
		// apply"): those lines are the verdict, a refusal with its reason.
		return lineInfo, ""
	case strings.HasPrefix(line, "patched "):
		return linePatched, ""
	case strings.Contains(line, "removed: it was not part of this build"),
		strings.Contains(line, "not part of this build (its build constraints"):
		return lineInfo, "" // a file the build leaves out: nothing to do
	case strings.Contains(line, " stays interpreted: "):
		return lineInfo, "" // applied, interpreted: the native tier does not take it (yet)
	case strings.Contains(line, "the native tier does not cover this yet: "),
		strings.Contains(line, "the native tier is unavailable: "):
		return lineRefusal, "not covered by the native tier" // "livepatch: NAMES: nothing of this save was applied: WHY, and the native tier ..."
	case strings.Contains(line, nothingApplied), // "livepatch: ERR; nothing of this save was applied"
		strings.HasPrefix(line, "livepatch: ") && strings.Contains(line, nativeFailed),
		slices.ContainsFunc(failureWords, func(w string) bool { return strings.Contains(line, w) }):
		return lineFailure, ""
	}
	m := positionRE.FindStringSubmatch(line)
	msg := line
	if m != nil {
		msg = line[len(m[0]):]
	}
	switch {
	case strings.Contains(line, restartToApply), strings.Contains(line, "nothing applied"):
		return lineRefusal, reasonOf(msg)
	case !nothingOfIt:
		return lineInfo, ""
	case m != nil && m[1] == "": // line:col: the rewriting for the interpreter
		return lineRefusal, "interpreter limit"
	case m != nil:
		return lineRefusal, reasonOf(msg)
	}
	return lineFailure, ""
}

// reasonGroup is a group of refusal reasons and the words of the messages
// in it.
type reasonGroup struct {
	name  string
	match func(msg string) bool
}

// removedFuncRE matches the refusal of a removed function ("NAME removed",
// "NAME removed and ... uses it" or "body of NAME removed"), after types
// and variables are ruled out.
var removedFuncRE = regexp.MustCompile(`^(?:body of )?\S+ removed(?:: | and |$)`)

// reasonGroups are the reasons a refusal is counted under, first match
// wins; issue 13 counts the same groups.
var reasonGroups = []reasonGroup{
	{"signature change", has("signature of ")},
	{"field change", func(m string) bool {
		return strings.HasPrefix(m, "field ") || strings.HasPrefix(m, "fields of ") || strings.HasPrefix(m, "type of field ") ||
			strings.HasPrefix(m, "tag of field ") || strings.HasPrefix(m, "embedded field ") || strings.Contains(m, "the fields the change adds to ")
	}},
	{"type change", func(m string) bool {
		return strings.HasPrefix(m, "type ") && !strings.HasPrefix(m, "type of variable ") && (strings.Contains(m, " changed") || strings.Contains(m, " removed"))
	}},
	{"package variable", func(m string) bool {
		return strings.HasPrefix(m, "new variable ") || strings.HasPrefix(m, "variable ") ||
			strings.HasPrefix(m, "type of variable ") || strings.HasPrefix(m, "//go:embed of variable ") || strings.Contains(m, " became a variable")
	}},
	{"constant change", func(m string) bool { return strings.HasPrefix(m, "constant ") }},
	{"interface change", func(m string) bool {
		return strings.HasPrefix(m, "interface ") || strings.HasPrefix(m, "methods of interface ") || strings.Contains(m, " through interface ")
	}},
	{"change across packages", has("a change is planned one package at a time")},
	{"new import not linked", has("not linked into this program")},
	{"new import of a dependency", has("linked into this program only as a dependency")},
	{"new file", has("new file of package")},
	{"embedded file", has("embedded file changed")},
	{"removed file", has("removed: what it declares stays")},
	{"removed function", removedFuncRE.MatchString},
	{"imported and not used", has("imported and not used")},
	{"generic function", has("generic function")},
	{"init function", has("init function changed")},
	{"interpreter limit", func(m string) bool {
		return strings.Contains(m, "cannot be patched") || strings.Contains(m, "interpreter") || strings.Contains(m, "Go prompt")
	}},
}

// typeErrorReason is the group of the remaining positioned messages: type
// errors. A published version compiles, so a type error in its replay is
// one against the compiled version of another file of the same change.
const typeErrorReason = "type error against another file"

// reasonOf returns the group of a refusal's message (its position
// removed).
func reasonOf(msg string) string {
	for _, g := range reasonGroups {
		if g.match(msg) {
			return g.name
		}
	}
	if !strings.Contains(msg, restartToApply) && !strings.Contains(msg, "nothing applied") {
		return typeErrorReason
	}
	return "other"
}

// has returns a matcher of messages containing s.
func has(s string) func(string) bool {
	return func(m string) bool { return strings.Contains(m, s) }
}

// pairVerdict is the verdict on a replayed pair from the console lines of
// its saves: the outcome (failed over refused over applied), the refusal
// reasons (each once, in order), the failure lines and the number of
// functions patched.
type pairVerdict struct {
	outcome  string
	reasons  []string
	failures []string
	patched  int
}

// judge returns the verdict of a pair from the console's outputs (one
// output event each, lines separated by newlines) during its saves.
// A save that waits for other files of its package ("it goes live when
// package P type-checks") is a step, not an outcome, when a later save
// makes P type-check: only a wait that no later save ends counts.
func judge(outputs []string) pairVerdict {
	v := pairVerdict{outcome: outcomeApplied}
	for i, out := range outputs {
		if waitEnded(out, outputs[i+1:]) {
			continue
		}
		nothingOfIt := strings.Contains(out, "livepatch: "+nothingApplied)
		for _, l := range outputLines(out) {
			v.add(l, nothingOfIt)
		}
	}
	switch {
	case len(v.failures) > 0:
		v.outcome = outcomeFailed
	case len(v.reasons) > 0:
		v.outcome = outcomeRefused
	}
	return v
}

// waitEnded reports whether out is the output of a save that waits for
// its package to type-check and one of the later outputs no longer waits
// for that package.
func waitEnded(out string, later []string) bool {
	_, rest, ok := strings.Cut(out, waitingFor)
	if !ok {
		return false
	}
	pkg, _, _ := strings.Cut(rest, " ")
	for _, l := range later {
		if !strings.Contains(l, waitingFor+pkg+" ") && !nativeOutcomeOnly(l) {
			return true
		}
	}
	return false
}

// nativeOutcomeOnly reports whether out only says how native builds
// ended: no save's report, which would say whether the save still waits.
func nativeOutcomeOnly(out string) bool {
	for _, l := range outputLines(out) {
		if l != "" && !strings.HasPrefix(l, nativeBuilt) && !(strings.HasPrefix(l, "livepatch: ") && strings.Contains(l, nativeFailed)) {
			return false
		}
	}
	return true
}

// waitingFor starts the end of the console's word on a save that waits
// for other files of its package, before the package's name;
// waitingForEdits starts that of a save that waits for compiled functions
// its refusal names to be edited too.
const (
	waitingFor      = "goes live when package "
	waitingForEdits = "it waits for those functions"
)

// add counts one console line.
func (v *pairVerdict) add(l string, nothingOfIt bool) {
	kind, reason := classifyLine(l, nothingOfIt)
	switch kind {
	case linePatched:
		v.patched++
	case lineRefusal:
		if !slices.Contains(v.reasons, reason) {
			v.reasons = append(v.reasons, reason)
		}
	case lineFailure:
		v.failures = append(v.failures, strings.TrimSpace(l))
	}
}

// outputLines splits a console output into its lines, a line indented
// with a tab continuing the one before (go/types writes "have" and "want"
// so).
func outputLines(out string) []string {
	var lines []string
	for l := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(l, "\t") && len(lines) > 0 {
			lines[len(lines)-1] += "\n" + l
			continue
		}
		lines = append(lines, l)
	}
	return lines
}
