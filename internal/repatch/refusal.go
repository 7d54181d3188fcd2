package repatch

import (
	"regexp"
	"strings"

	"github.com/livepatch/livepatch/internal/change"
)

// knownGroup names a reason that messages give in many forms.
type knownGroup struct {
	re    *regexp.Regexp
	group string
}

// knownGroups are the known reasons; the first match wins. (A named
// element type: the interpreter cannot call methods through unexported
// fields of an unnamed struct type, see docs/FIDELITY.md.)
var knownGroups = []knownGroup{
	{regexp.MustCompile(`cannot range over .*func\(`), "range over func"},
	{regexp.MustCompile(`cannot range over \d+|cannot range over .*\(.*int.*\)`), "range over int"},
	{regexp.MustCompile(`which the Go prompt cannot name`), "a type the rewriter cannot name"},
	{regexp.MustCompile(`method expression .* the interpreter cannot reach`), "method expression of a compiled type"},
	{regexp.MustCompile(`generic`), "generic code"},
	{regexp.MustCompile(`deferred in a loop`), "function literal deferred in a loop"},
	{regexp.MustCompile(`recovers, in a function that defers inside a range over a function`), "recover deferred beside a defer in a range over func"},
	{regexp.MustCompile(`of a type holding iter\.Seq`), "iter type inside a signature's type"},
}

// diagnosticGroup summarizes a refusal of the rewrite stage by its
// message: a known reason's name when it is one.
func diagnosticGroup(d change.Diagnostic) string {
	return summary(d.Msg)
}

// agentPosition matches the file:line:col: (or line:col:) prefix of a
// message of the agent: the interpreter's errors cross a process as text.
var agentPosition = regexp.MustCompile(`(?:[^\s:]+\.go:)?\d+:\d+: `)

// group summarizes a reason that arrives as text, the builder's or the
// agent's: without positions, a known reason's name when it is one.
func group(msg string) string {
	return summary(agentPosition.ReplaceAllString(firstLine(msg), ""))
}

// summary returns the name of the known reason of the first line of msg,
// or that line, cut at 100 bytes.
func summary(msg string) string {
	line := firstLine(msg)
	for _, k := range knownGroups {
		if k.re.MatchString(line) {
			return k.group
		}
	}
	if len(line) > 100 {
		line = line[:100] + "..."
	}
	return line
}

// firstLine returns the first line of msg, without surrounding space.
func firstLine(msg string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(msg), "\n")
	return line
}
