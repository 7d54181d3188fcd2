// Package prompt is the Go prompt of a program, paused or running: the
// host side of DAP evaluate requests with context "repl" and of
// completions requests.
//
// # Routing
//
// An input that Delve evaluates well, a plain expression without function
// calls (conversions to basic types, len and cap allowed), goes to Delve
// unchanged. Statements, assignments, calls, declarations and imports run in
// the target, in the agent's interpreter (package target/agent), by a
// debugger-injected call. Two prefixes force a path; neither can start
// valid Go:
//
//	?expr    Delve evaluates expr
//	$input   the input runs as Go in the target
//
// Inputs that start with Delve's own "dlv " and "call " go to Delve as sent.
// A plain expression that Delve cannot evaluate (a name an earlier input
// declared, for instance) is tried as Go. replsyntax.Incomplete tells a line-based
// prompt that an input continues on the next line.
//
// # Package scope
//
// While the program runs, an input runs in package scope (package.go):
// the objects of one of the program's packages, unexported included,
// without locals, through the agent's socket (agentclient.Target.Client),
// and the program is not stopped for it. Plain expressions go there too,
// as Delve reads nothing of a running program. The package is the main
// package unless `:pkg PATH` (PackageCommand, answered before the
// interceptor) chose another; `:pkg` alone says which. When the program is
// paused and the selected frame is not in a user package (a pause that
// lands in the runtime), an input runs in package scope too, after a
// one-line console note naming the package: as no goroutine can take an
// injected call there, the program runs for the input, as it does during
// an injected call, and is stopped again (agentclient.Target.ResumeFor).
//
// # Results and errors
//
// The value of a final expression is the evaluate response's result, as a
// Go value; a multi-value call shows every result, comma-separated (for
// example `18, nil`). What the input prints reaches the client as output events
// before the response. A syntax or type error is answered with
// dapproxy.ErrPromptInput and "line:col: message" of the input; a panic with
// ErrPromptPanic, its value and the interpreted frames it unwound; an input
// that runs past the time limit (Options.Timeout, 7 s by default;
// `livepatch dap` and `livepatch debug` read LIVEPATCH_PROMPT_TIMEOUT) is
// stopped by the agent and answered with ErrPromptTimeout: the program stays
// paused where it was. An input blocked in compiled code cannot be stopped:
// the answer (also ErrPromptTimeout) says that it still runs, the function
// it waits in, and that it goes on when the program continues, keeping what
// it takes (running.go). Functions declared at the prompt carry a depth
// guard, so a runaway recursion panics with a stack-overflow error instead
// of killing the program (package change adds the guard). A write to a
// local that the compiler may have folded (constant initializer, never
// assigned) carries a note saying so.
//
// # Scope
//
// An input sees the frame selected by the request's frameId (the proxy
// records what each frameId means from the stackTrace responses the client
// received; 0 means the top frame of the selected goroutine): its arguments
// and locals declared before the paused line, every package-level
// identifier of the frame's package (unexported included), the imports of
// the frame's file, the imports of earlier inputs, and the declarations of
// earlier inputs of the session, as in a REPL. A frame of a native patch
// (a plugin's function, whose lines are the saved file's) sees the saved
// function's arguments and locals, those the save added included, and
// the saved file's imports (frame.InSaved): live patching tells the
// prompt which saved function a frame's function runs
// (Prompt.SavedFrames).
//
// Inputs are type-checked on the host in the frame's scope and rewritten
// for the interpreter by package change/frame (frame.At, Scope.Input),
// against the type information of the latest patchable build that the
// prompt's change.Checker holds; live patching checks saved files and
// redefinitions with the same checker (Prompt.Checker). A syntax or type
// error is reported as line:col: message of the input; package frame's
// documentation says how inputs are checked and rewritten. A session
// keeps the declaring inputs it ran (frame.History) until the debugged
// process changes.
//
// Each debug session has one agentclient.Target (Prompt.Target), which
// live patching shares: it owns the session's debugger, the channels to
// the agent, the agent queue in which inputs take their turn with live
// patching's jobs, and notes restarts; the prompt starts its state afresh
// when the target reports one.
//
// A package the frame's file does not import is imported for the input
// when it names it, as goimports would (the program's own imports first):
// a user package or one whose symbols the agent carries (those the
// program's code imports, and a default set: bytes, errors, fmt, sort,
// strings, ...). Another package is refused in one line that names it and
// says why and what to do (change.Program.Unavailable).
// Unexported methods and fields of the user's packages are reached through
// the accessors the patchable build generates; those of other packages
// (the standard library's, dependencies') cannot be, as reflect does not
// see them, and the prompt says so. Writes reach the program's own memory: a
// frame local is bound to the address that Delve takes in the injected
// call. A function literal or declaration of an input that uses a frame
// local keeps the address it had when the input ran; calling it after the
// frame is gone reads stale memory. Method declarations in inputs are
// passed to the interpreter without a host-side check.
//
// Completions list the frame's locals, its package's scope, its file's
// imports and the session's declarations, or, after a dot, the members of
// the package or the type of the value before it (frame.Scope.Operand).
package prompt
