// Package replsyntax is the syntax of what users type at livepatch's Go
// prompt, shared by the prompt (internal/prompt), which routes each input,
// and line-based clients (internal/terminal), which must tell when an input
// goes on to the next line: the prefixes that force an input's path, and
// Incomplete. It imports only the standard library, so a client links
// neither Delve, yaegi nor x/tools for it.
package replsyntax

// Prefixes that force an input's path. Neither can start valid Go.
const (
	DelvePrefix = "?" // ?expr: Delve evaluates expr
	GoPrefix    = "$" // $input: the input runs as Go in the target
)
