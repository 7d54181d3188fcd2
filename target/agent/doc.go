// Package agent is the part of livepatch that lives inside the target
// program. It holds the dispatch table that the builder's prologues consult,
// the symbol tables that the generated code registers, one yaegi interpreter,
// and two channels through which the host drives it.
//
// The package imports only the standard library and yaegi; a test in the
// host package interp enforces this, so the target stays small.
//
// # Dispatch
//
// Every instrumented function N starts, on the line of its opening brace,
// with (see package patcher for why the load is not in the if statement)
//
//	if lp_atomic.LoadUint32(&lpRan_B[N-B]) == 0 { lp_atomic.StoreUint32(&lpRan_B[N-B], 1) }
//	lpT := lp_atomic.LoadPointer(&lp_agent.Current)
//	if lpT != nil { if *(*uintptr)(lpT) > N { if lpF := (*[N+3]lpFn_N)(lpT)[N+2]; lpF != nil { return lpF(args...) } } }
//	lpT = nil
//
// Current points to the published Table's block of slots (table.go):
// slot N holds function N's replacement as a value of its alias type.
//
// The first line marks the function as run, in its file's array of ran
// flags (RegisterRan; B is the file's first index): wire.OpCalls says which
// functions have run and how many goroutines are inside a call of each
// now (calls.go), for the host's notes on patches that take effect only
// at a later call.
//
// A Table is immutable once published. Applying a patch set compiles every
// function of the set first and publishes one new table only when all of
// them compile, so no goroutine sees half of a change. Atomicity holds per
// call: a caller that calls two patched functions in a row can see the old
// version of one and the new version of the other across a publish.
//
// A table may hold, in place of a function's patch, a gate (gate.go):
// a function of the patch's type that holds each call until the host
// opens it, then calls the patch as it is then. The host holds an
// interpreted patch with a breakpoint in it until its native code, where
// the breakpoint is, runs (wire.Patch.Hold, wire.OpGate); a function
// without a gate is called as before.
//
// # Patches
//
// A patch (wire.Patch) names a function by its key, "importpath.F", "importpath.T.M" or
// "importpath.(*T).M" (the import path of a main package is its module
// path, as go list reports it), or by its index, and gives Go source for
// the replacement: a function declaration (method declarations included) or
// a function literal. A method becomes a function whose first parameter is
// the receiver. The source is compiled in the scope of its package: every
// symbol registered for the package, exported or not, is visible
// unqualified. Packages referred to by a qualified name that matches exactly
// one registered package are imported automatically; wire.Patch.Imports adds
// import specs explicitly. The interpreter cannot write unexported fields
// through reflect: the source reaches them through the generated accessors
// (*lpField_T_f(x)), as the host's rewriter produces them.
//
// Each compilation gets a fresh interpreted package, so a failed one leaves
// nothing behind. Package variables a patch set declares anew (wire.Patch.Vars)
// live in one home per package instead (vars.go): made and registered as
// the package's symbols before the set compiles, initialized once when it
// did, kept by later sets that declare them again. A replacement must fit the compiled function's type
// (arguments assignable to its parameters, results to the compiled
// results); otherwise the set is refused.
//
// yaegi mistypes a method value taken through its own pointer type around a
// compiled type (c.Inc for c *T, with Inc's receiver *T: a panic at run
// time) and cannot evaluate method expressions of compiled types ((*T).Inc,
// T.Label). Before compiling a replacement, its helpers or an evaluation,
// the agent therefore rewrites the source on the same lines: *T becomes the
// compiled type *T itself (from the pseudo-package lp_bin), pointers made by
// &T{...}, new(T) and & of a variable declared with type T are converted to
// it, and a method expression becomes the compiled method expression. Compile
// errors keep the positions of the source as given.
//
// yaegi converts values of interpreted types (and nil) to compiled
// interface types through wrapper types (a struct per interface, "_I" in
// its package), which the builder generates and registers with
// RegisterInterfaceWrappers. Every other interface the registered symbols
// reach gets a stand-in made with reflect.StructOf, enough for nil (return
// nil, err) and compiled values; converting an interpreted type's value to
// such an interface is refused when the code compiles, and so is a struct
// type that embeds a compiled interface, which yaegi cannot pass as an
// interface (see packages ifacewrap and bintypes). The interpreter has yaegi's
// package unsafe (Pointer, Add, Sizeof, Alignof, Offsetof and the
// conversions between unsafe.Pointer, uintptr and pointers), as the
// compiled code it replaces had, package side's table, as lp_side, for
// the fields a saved change adds to a compiled struct type, and lp_go,
// which starts the goroutines of saved functions under a recover that
// handles an interpreter fault (goroutine.go).
//
// # Panics
//
// A panic in a replacement reaches its compiled caller with the value the
// code raised (see Repanic), whether interpreted code raised it, a compiled
// function it called, or the interpreter itself as a run-time error of the
// replacement (a nil dereference, an index out of range, a failed type
// assertion), which must behave as in compiled code. Any other panic
// raised inside yaegi, or inside reflect where yaegi called it, is a fault
// of the interpreter (fault.go): the function is reverted to its compiled
// body for every later call, the fault is logged with the function, the
// place of its saved source and the interpreter's message, and the call
// goes on panicking with a *Fault that says so; first, it calls FaultStop,
// on which the host puts the debugger's breakpoint for unrecovered panics,
// so that the program stops there under the debugger. The agent's log goes
// to the host, which shows each record as its own message (see
// hostlink.LogName), or to the target's stderr without one.
//
// # Evaluation
//
// Eval runs statements, expressions and declarations in the interpreter's
// one persistent top-level scope, like a REPL; a package argument makes that
// package's symbols visible there (later packages shadow earlier ones on a
// name clash). A time limit stops runaway code; the agent then renews the
// interpreter's run state so that published patches keep running.
//
// # Wire protocol
//
// The requests, responses, patches and errors are package wire's. On the
// unix socket each message is one JSON object followed by a newline; the
// first request of a connection must be {"op":"hello", "token":...}
// carrying the token from LIVEPATCH_AGENT_TOKEN, and only one client is
// served at a time (a second one gets an error response and is closed).
// While the target is stopped under a debugger, the host writes one
// request (without the newline) into Inbox, calls Serve(n) by call
// injection and reads Serve's result as the length of the response in
// Outbox (serve.go answers both). An injected call never waits for the
// agent's lock: if another operation holds it (for example a socket client
// whose goroutine the debugger stopped), the response says the agent is
// busy.
//
// # Hold
//
// A target started with LIVEPATCH_AGENT_HOLD (hostlink.EnvHold) besides
// the socket's variables does not go on past the init that starts the
// agent (the root package's generated symbols file) until a client sends
// "release": Start writes hostlink.HoldingLine to stderr once the socket
// listens, then waits. The host patches in the meantime, so that the code
// after that init (main, or a test binary's tests) runs patched from its
// first call. The hold has a deadline (the variable's value,
// hostlink.DefaultHold for "1"); when it passes, the agent says so on
// stderr and the program goes on. Package variables
// of the root package and the init functions of the files before the
// symbols file have run by then, compiled. A test binary holds later:
// its init calls StartTest, and the TestMain the patchable build
// generates calls HoldTests, after the init functions of every package
// (a plugin loaded while an init runs would make the runtime throw), then
// the user's own TestMain or the tests.
//
// # Lifetime
//
// A target started with LIVEPATCH_AGENT_HOST (hostlink.EnvHost), the host's process
// id, ends when the host does, however the host ends: Start has the kernel
// send it SIGKILL then (Linux's parent-death signal; see hostlink.Watch).
//
// yaegi prints every panic in interpreted code to the target's stderr,
// recovered or not; that is yaegi's behavior, not an error of the agent.
package agent
