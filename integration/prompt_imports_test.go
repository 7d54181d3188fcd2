package integration

import (
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/dapproxy"
)

// TestPromptImportsByName names packages the paused file does not import
// (issue 16): one the agent carries but the program does not link
// (strings), one both have (sort), one linked only as a dependency
// (unicode) and one not linked (text/tabwriter); the last two are refused
// in one line that names the package, says why and what to do, by name
// and by an explicit import.
func TestPromptImportsByName(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livepatch")
		thread := env.startLive(dir)
		frame := env.TopFrame(thread).Id
		env.mustEval(frame, `strings.ToUpper("x")`, `"X"`)
		env.mustEval(frame, `sort.IntsAreSorted([]int{1, 2})`, `true`)
		env.mustEval(frame, `strings.Repeat(s[:1], 2)`, `"hh"`)
		const what = "in one of its files and restart to use it here"
		env.mustFail(frame, `unicode.IsUpper('A')`, dapproxy.ErrPromptInput, "1:1: unicode: package unicode is linked into this program only as a dependency", what)
		env.mustFail(frame, "import (\n\t\"fmt\"\n\t\"unicode\"\n)", dapproxy.ErrPromptInput, "3:2: package unicode is linked")
		env.mustFail(frame, `import "unicode"`, dapproxy.ErrPromptInput, "1:8: package unicode is linked", what)
		env.mustFail(frame, `tabwriter.NewWriter(nil, 0, 0, 0, ' ', 0)`, dapproxy.ErrPromptInput,
			"1:1: tabwriter: package text/tabwriter is not linked into this program", `import "text/tabwriter" `+what)
		for _, in := range []string{`unicode.IsUpper('A')`, `import "unicode"`, `tabwriter.NewWriter(nil, 0, 0, 0, ' ', 0)`} {
			if got := env.eval(frame, in); strings.Contains(got.err, "GOPATH") || strings.Contains(got.err, "\n") {
				t.Errorf("%s: %q; want one line without the interpreter's GOPATH message", in, got.err)
			}
		}
		env.Disconnect()
	})
}
