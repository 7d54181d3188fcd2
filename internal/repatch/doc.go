// Package repatch measures how faithfully live patches behave: it runs a
// package's own tests with every patchable function of the package
// replaced by the interpreter running that function's own source, and
// compares the results with a plain `go test` of the same packages.
//
// For each package under test, Run builds its test binary patchably
// (patcher.Build with Test and HoldInTestMain), starts it held
// (hostlink.EnvHold: the TestMain the build adds waits, after every
// package's init and before any test runs),
// rewrites every function from the text of its file as built through the
// stages of a save that decide how a function runs interpreted: the check
// of the file with the rest of its package and the rewriting
// (change.Checker.RewriteChange, which Checker.PlanSave runs for the
// bodies a save applies), and the agent's patch at the line of the
// declaration in the build's index (change.Change.AgentPatch,
// change.Build.CompiledDecls). It does not plan a save
// (Checker.PlanSave): a save's classification compares a file with its
// compiled text, and here nothing differs (every function is replaced by
// its own source), so a plan would apply nothing and has nothing to
// refuse. It applies the replacements over the agent's socket, where the
// agent compiles and publishes them. A patch set is
// atomic: when the agent refuses some of its functions, Run drops those,
// records why, and applies the rest. Then it releases the binary and
// collects each test's result from its -test.v=test2json output, fed
// through `go tool test2json`, the converter `go test -json` itself uses,
// so both runs are read by the same code from the same event stream.
//
// The agent reports an interpreter fault (the interpreter failed at run
// time in a replacement, see agent.Fault) in its log, which Run follows:
// such a function is kept compiled with the reason "interpreter fault at
// run time: MESSAGE", and the package's tests run again without it (up to
// maxFaultRuns runs), so that one function never costs the package.
//
// Slow is not wrong: when the repatched run reaches its -test.timeout, the
// natively passing tests it was running are reported as slow (SlowTest,
// with how long they ran at least and the slowdown over their native
// time), not as regressions; parallel tests still waiting for their turn
// never ran, and run again. A test that ends the binary with a fatal
// error of the runtime that the interpreter's larger frames explain (a
// stack overflow, out of memory) is a limit of the interpreter
// (LimitTest), not a regression either; a panic is a failure. Either way
// one test never takes the rest with it: the tests that did not finish (a
// test that panics reports its failure first: then the ones that never
// ran, diedEarly) are run again without the one that died (finishDied: -test.run and
// -test.skip; with parallel tests running, first one at a time, to tell
// which one died). Go test flags come as users type them (-run X,
// -count=1, -test.run=X, -v); TestFlag names the ones Run cannot honour.
//
// Functions that stay compiled are grouped by reason (see Refusal): not
// patchable at all (generic, init, cgo ...), refused by the rewriter,
// refused by the interpreter's compiler, or failed in by the interpreter at
// run time. A test that passes natively and fails (or does not finish)
// repatched is a regression, unless it fails in the same test binary run
// again without patches too: a difference of the patchable build (-N -l,
// the agent linked: a test that times its code or counts its memory), which
// the report lists apart (builddiff.go).
//
// With Options.Tier TierNative, the replaced functions run in the native
// tier instead (native.go): the functions the tier covers are compiled
// into plugins, one per file (each file's functions are checked as a
// change of their own), from the same checked forms, by the builder a save's
// native build uses (internal/native, patcher.NativeBuild with the
// package under test linked with its test files, patcher.TestedPackage);
// after the interpreted patches apply, the agent switches them to the
// plugins (agent.SwitchNative) before it releases the binary (a plugin
// cannot load while an init runs: hence the hold in TestMain).
// PackageReport.RanNative
// lists the functions that ran natively, StayedInterpreted the others
// and why; the judgement of the tests is the same.
//
// Run is not safe for concurrent use with another Run on the same module:
// the patchable builder shares a build directory per module and options.
package repatch
