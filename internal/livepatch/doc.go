// Package livepatch applies source changes to a debugged program while it
// keeps running, its state and connections intact: function and method
// declarations typed at the Go prompt, and saves of the user's files.
//
// # Changes
//
// A change is one prompt input or one save. At the prompt, an
// input made only of function and method declarations that name functions
// of the program (`func (c *Counter) Inc() int { c.n += 2; return c.n }`)
// replaces them; other inputs go to the Go prompt (package prompt). On
// save, a watcher (fsnotify) on the directories of the user's packages
// reads the saved file after a short quiet period (editors write in
// place, or write a temporary file and rename it, often several times in a
// row). The change is the package on disk, not the one file: the saved
// file goes with every other file of its package whose text differs from
// the compiled one, planned and type-checked together, and each function
// is compared with what is live: a body that differs is applied, a body
// edited back to its compiled form is reverted, an unchanged one is not
// touched. So a helper added in one file and used from another goes live
// whichever file is saved first: saved first, the user's file does not
// type-check (`main.go:13:9: undefined: loud`), and the console says that
// it goes live when the package type-checks, which the save of the other
// file makes it do. A prompt-defined patch stays live until its
// function's text in the file changes.
//
// Every change is classified, checked and rewritten by package change
// (change.Checker.PlanSave for a save, change.Checker.Redefine for a
// prompt input) before anything is applied; this package keeps the
// watching, the session's live patches, the applying through the agent,
// the reporting and the commands. Body changes of patchable functions and
// methods are applicable (renaming parameters, `_` included, is no
// signature change; comments and layout alone patch nothing), and so are
// the functions, methods and types a change declares anew for the patched
// code to use (a method added to a compiled type becomes a function the
// patched code calls instead), in an existing file or a new one of the
// package, and constants whose only compiled readers the change patches
// too. A removed function or method is live too: its compiled body stays,
// unused, and the console says so, unless compiled code left unpatched
// uses it; so is a removed file, planned as a file that declares nothing
// (gone.go). Struct layout changes, signature changes with compiled callers
// left unpatched (or in another package: a change is planned one package
// at a time), a new method that makes a compiled type satisfy an
// interface, an interface whose changed method set code depends on,
// changed variable declarations, init functions, generic
// functions, cgo files and files that //go:embed embeds (the program keeps
// the content it was built with; a change of one is reported when it is
// saved, and refuses the Go changes of its package while it lasts) need a
// restart, and are reported as `main.go:12:2: field count added to
// Counter: restart to apply` with nothing of the change applied.
//
// A saved file is type-checked with the rest of its package as built
// (with the prompt's checker, whose snapshot of the build, change.Build,
// live patching reads too); a prompt input is checked the same way,
// spliced into the compiled
// text of the file of the function it replaces, with the new declarations
// it makes beside it. Replacement bodies are
// rewritten for the interpreter and sent to the agent as one patch set,
// which goes live atomically: every function of a change, or none. A
// change that both applies and reverts functions publishes the applied
// ones first, then the reverts.
//
// Results of saves and of the custom requests reach the debug console (and
// the terminal client) as output events: `patched main.(*Counter).Inc
// (main.go:10)`, `reverted ...`, the notes of an applied change (a
// removed function's compiled body stays, unused), that a save of new
// declarations only has nothing to patch yet, or the reasons nothing was
// applied. A
// prompt input's result is its evaluate response.
//
// A patch takes effect at its function's next call. After a change
// applies, the console says so once for a patched function that a
// goroutine is inside a call of (`note: main.serve is running now
// (goroutine 7): that call keeps its old body; ...`: a loop), and for one
// that ran only at start-up and runs no more (`note: main.register ran at
// start-up and is not running now: the patch takes effect only if it is
// called again`), in the save's report or, for a prompt redefinition, in
// the console (notes.go). Start-up is change.Build.StartupOnly's rule; the
// goroutines come from the debugger while the program is paused and from
// the agent's goroutine profile while it runs (wire.OpCalls), which has
// their number but not their ids.
//
// # Native tier
//
// Once a save's patches are live interpreted, package native builds the
// same functions as a plugin in the background, and a turn of the queue
// switches the agent to it, for the whole change at once, over the socket
// (native.go); the console says `native: NAME (FILE:LINE)`. A later save
// or a revert of a function drops a build in flight for it; a prompt
// redefinition goes native as a save does. What the tier does not cover
// yet (see package native) stays interpreted and the
// console says why once per reason; where plugins cannot be built at all,
// once. Options.NoNative turns the tier off. A save that only the tier can
// take (change.Plan.NativeOnly: a new import the interpreter cannot
// reach; or one the agent refused to compile) goes live at its switch,
// waiting meanwhile as a live patch of TierWaiting (nativeonly.go).
//
// # Channels
//
// A program that runs with no debugger (a noDebug launch, `livepatch run`)
// is reached over the socket only; with Options.Restart, a save that
// compiles and cannot go live rebuilds and restarts it
// (dapproxy.Session.Restart).
//
// While the target is stopped, patches go through Delve call injection
// (agentclient.CallClient); while it runs, through the agent's unix socket,
// whose private directory and token TargetEnv gives each launched process.
// Started (a dapproxy.Config.Started) makes each launched process stop at
// an interpreter fault as at an unrecovered panic (agentclient.StopAtFaults).
//
// # Positions
//
// The debugger's lines are the compiled files'; the user sees the saved
// ones. For each file changed since the build, a line diff of the
// compiled text against the last seen one maps lines both ways
// (linemap.go, positions.go), and every position that crosses the proxy
// is translated: setBreakpoints (the request's lines to compiled lines,
// the answer and Delve's breakpoint events back), stack frames and
// exceptionInfo's stack text (exception.go), log points' output
// (breakpoints.go), and the Go runtime's tracebacks on the program's
// stderr, which also lose the machinery's frames (traceback.go; an
// interpreted patch's frame there is marked as at its declaration's line,
// panicsites.go). At a stop, an interpreted patch's frame gets the line
// its interpreted code runs, read from yaegi's run loop and the agent's
// table of lines through Delve (interplines.go). A breakpoint at a line that the running code does not
// have is answered unverified with the reason: a changed line whose
// change is not live, a line in a function whose patch is interpreted (it
// becomes active when the patch goes native, or says why it stays
// interpreted). Its calls do not pass it meanwhile: while the native
// build is under way, the agent holds them at a gate until the patch is
// native and the breakpoint set in the plugin's code, where they stop
// (gates.go); a failed build opens the gate, and they run interpreted.
// A function breakpoint by name on a patched function does the same, and
// goes to Delve as the plugin's function once the patch is native
// (funcbps.go); a line offset in one (pkg.F:2) counts from the
// function's line in the file as saved (funcoffsets.go).
// After every save, revert, redefinition, native switch and
// failed native build, the client's breakpoints are set again where their
// lines are now, and a breakpoint event tells the client of each that
// moved or changed state.
//
// A breakpoint in a native patch is a Delve function breakpoint at a line
// of the plugin's function, which Delve gets with the client's own
// function breakpoints (nativebps.go), with its condition and hit count;
// a log point there stops, says its message and goes on (nativelog.go).
// The stack shows the plugin's frame under the patched function's name
// and folds the compiled frame whose prologue called it. The plugin's
// lines are those of the file as saved when the patch was made; after a
// later save moves the function without changing it, they are mapped to
// the file as saved now, both ways, as the compiled file's are
// (pluginlines.go); so are the frames of functions its save declared
// anew, which the plugin compiled beside it, named in the patched
// package. A plugin calls
// its own copy of the runtime, so each native switch adds the plugin's
// runtime.fatalpanic and fatal throws to Delve's breakpoints of
// unrecovered panics and fatal throws, in a pause the client does not see
// (nativepanic.go).
//
// # Stepping
//
// Stepping into an interpreted patch would pass through reflect and the
// interpreter: a stepIn on a line that calls a function with an
// interpreted patch (recognized by its name followed by "(", in the saved
// line) steps over the line instead, with Delve's next. When the patch's
// native build is under way, the agent holds its calls at a gate (set by
// call injection, before the next) and, once the patch is native, a
// temporary function breakpoint of livepatch's own on the plugin's
// function, for the stepping goroutine, stops the held call at the saved
// declaration's line, which the client gets as the step's stop; any other
// stop ends the step as it is (stepinto.go). Otherwise the console says
// once why the call was stepped over. A call through a method value or a
// function variable is not recognized. A step that stops in the compiled
// function of a native patch, whose body no longer runs, steps on: in
// again after a stepIn (into the plugin's code), out to the caller
// otherwise; one that stops in an accessor of the package's native
// exports, which the plugin's code calls for an unexported name, steps
// out of it and, on a stepIn, in again; one that stops in the frames of
// a gate that held the call (the agent's, reflect's) steps out of them
// (step.go). The generated method value wrapper next to a plugin's frame
// is hidden from stacks (machinery.go).
//
// # Commands
//
// At the prompt, `:patches` lists the live patches with their origin
// (prompt or save), position and tier (interpreted, native, or waiting
// for its native build), marking prompt patches that differ from the file
// on disk; `:diff NAME` shows a live patch against the compiled
// function; `:revert NAME` reverts one and `:revert all` every one. Editors
// can send the custom requests "livepatch/patches", "livepatch/diff"
// ({"name": NAME}) and "livepatch/revert" ({"name": NAME} or
// {"all": true}) for the same.
//
// # Order
//
// Everything of one debug session that uses the target's agent takes its
// turn in one queue (the Queue of the session's agentclient.Target, which
// prompt.Prompt.Target gives the prompt and live patching alike), in the
// order it arrived: the Go prompt's inputs, prompt redefinitions, saves and
// reverts. Each chooses its channel when its turn comes, not when it
// arrives: a save made while a prompt input runs in the paused program (by
// call injection, during which the debugger counts the program as running)
// waits for the input, then goes by call injection, the program being
// paused again; after agentclient.Patience of waiting the console says so
// ("livepatch: save of counter.go waits for the running prompt input").
// A redefinition's turn first applies the saves pending before it.
//
// A save is never dropped for want of an answer. When the agent cannot be
// reached (the program runs and its socket does not answer within 5
// seconds, say because a breakpoint stopped it mid-request; or it is busy),
// nothing of the save is recorded as seen, the console says it is pending,
// and it is tried again (after 250 ms, doubling up to every 2 s) until the
// agent takes it, at a stop or once the program goes on; saves made
// meanwhile wait behind it, in order. A socket request that timed out may
// still be done by the agent later, so until the socket answers again no
// patch goes by call injection, where the late request could overtake it.
//
// What only reads the session's state does not take a turn: :patches, the
// livepatch/patches request (which lists the pending saves too) and :diff
// answer at once, and an evaluation Delve answers (`c.n`) never waits for
// the agent. Requests of a DAP client are still handled one at a time, in
// the order it sent them (package dapproxy).
//
// Manager's methods are safe for concurrent use.
package livepatch
