package repatch

import (
	"regexp"
	"strings"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/rewrite"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// The groups of refusals are the values the stages give: the builder's
// reason, the rewriter's Reason, the agent's kind. Only the messages of the
// compilers (go/types, yaegi), which give their errors as text, are told
// apart by their words, and only for the forms below.

// compilerGroups name reasons that a compiler's message gives in many
// forms; the first match wins.
var compilerGroups = []struct {
	re    *regexp.Regexp
	group string
}{
	{regexp.MustCompile(`^cannot range over .*func\(`), "range over func"},
	{regexp.MustCompile(`^cannot range over \d+|^cannot range over .*\(.*int.*\)`), "range over int"},
}

// buildGroup summarizes the builder's reason for leaving a function
// without a prologue.
func buildGroup(reason string) string {
	switch reason {
	case patcher.ReasonGenericBlank:
		return rewrite.ReasonGeneric
	}
	return summary(reason)
}

// diagnosticGroup summarizes a refusal of the rewrite stage: its reason
// when it has one, else its message.
func diagnosticGroup(d diag.Diagnostic) string {
	switch {
	case d.Reason != "":
		return d.Reason
	case d.Kind == diag.Type || d.Kind == diag.Syntax:
		return compilerGroup(d.Msg)
	}
	return summary(d.Msg)
}

// agentGroup summarizes the agent's refusal of one function: the message
// of the interpreter's compile error, or of the agent's refusal.
func agentGroup(e wire.Error) string {
	if e.Kind == wire.ErrCompile {
		return compilerGroup(e.Msg)
	}
	return summary(e.Msg)
}

// compilerGroup summarizes a compiler's message: a known reason's name
// when it is one.
func compilerGroup(msg string) string {
	line := firstLine(msg)
	for _, k := range compilerGroups {
		if k.re.MatchString(line) {
			return k.group
		}
	}
	return summary(line)
}

// summary returns the first line of msg, cut at 100 bytes.
func summary(msg string) string {
	line := firstLine(msg)
	if len(line) > 100 {
		line = line[:100] + "..."
	}
	return line
}

// firstLine returns the first line of msg, without surrounding space;
// the go command's "# package" headers of a failed build are not the
// line: the first error after them is, after what precedes the header
// ("plugin: exit status 1: ").
func firstLine(msg string) string {
	line, rest, _ := strings.Cut(strings.TrimSpace(msg), "\n")
	if i := strings.Index(line, "# "); i >= 0 && (i == 0 || strings.HasSuffix(line[:i], ": ")) {
		for _, l := range strings.Split(rest, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "# ") {
				return line[:i] + l
			}
		}
	}
	return line
}
