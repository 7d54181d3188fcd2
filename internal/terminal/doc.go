// Package terminal is the terminal debugger behind `livepatch debug`, and
// the prompt of `livepatch run` (Config.Run, runmode.go: the program runs
// with no debugger, and the prompt runs Go in package scope for the whole
// run).
//
// It is a DAP client like any editor: Run speaks the Debug Adapter Protocol
// on a connection to a DAP server (the livepatch proxy, or any Go debug
// adapter), launches the program, and gives a command prompt whose commands
// are named as in dlv (break, continue, next, print, stack, ...). A line
// that is not a command is sent to the server as an `evaluate` request with
// context "repl" in the selected frame, which is where the Go prompt of
// livepatch answers. Go that a line leaves open (a block, a call, a
// literal, a trailing operator) is continued on the next lines, at
// ContinuationPrompt, and sent as one input when complete.
//
// The prompt is there while the program runs too (running.go): Go input
// and the server's colon commands are sent without a frame, and
// livepatch's prompt runs them in package scope while the program goes
// on; Ctrl-C pauses the program; a command that needs a stopped program
// says so. What the debugger reports meanwhile (a stop, an exit) is printed
// above the prompt.
//
// When standard input and output are a terminal, the prompt has line
// editing, history and tab completion (github.com/go-delve/liner), and
// program output is printed above the prompt without disturbing a
// half-typed line. Otherwise lines are read plainly, so that scripts and
// tests can drive the debugger through a pipe.
package terminal
