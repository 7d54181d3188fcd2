// Package change turns a saved file, a prompt declaration or a prompt
// input into a checked change rewritten for the agent's interpreter
// (package target/agent). It knows the build, not the debugger: it imports
// no Delve, no DAP and not the proxy.
//
// # The build's type information
//
// A Program is the type information of one patchable build, indexed from
// patcher.Result.TypeInfo: every loaded package by path, the user's
// (instrumented) packages and their files. It is loaded once per build,
// on first use, by the Checker that holds the latest build (UseBuild);
// the prompt and live patching share one Checker, so one load serves
// both.
//
// # Saved files and declarations
//
// Checker.RewriteChange type-checks the new text of a file of the build
// together with the other files of its package as built (their syntax is
// kept from the build; imports resolve to the loaded packages), in a fresh
// types.Package. Only the bodies the change rewrites are checked: those of
// the functions asked for and of what the file declares anew. Errors are
// Diagnostics (diagnostic.go), each at its file:line:col; so is a new
// method that would make a compiled type satisfy an interface. What is
// new (functions, methods, types) comes from comparing scopes with the
// build, constants are compared by value. Checker.RewriteInput does the same for prompt
// declarations spliced into the compiled text of a file, importing a
// linked package the file does not import when its name is unique.
// Checker.Compiled tells whether the build compiled a file (build
// constraints may leave one out). The result, a Change, holds the
// rewritten replacements, helpers and imports (change.go).
//
// # Prompt inputs
//
// Program.Input checks an input of the Go prompt in the scope of a paused
// line (Program.ScopeAt: the arguments and locals declared before the
// line, the package's objects, the file's imports) after the declaring
// inputs of a session (History): a scratch package with the frame
// package's path holds the frame's locals and the package's objects, and
// one synthetic file holds the earlier inputs and the new one (check.go).
// Errors are Diagnostics, each at its line:col of the input. A package
// the program links that the input names without importing it is imported
// for it when its name is unique. Input.Notes says when a frame local the
// input writes may have been folded by the compiler (fold.go).
// Program.Operand tells the prompt's completions what an expression
// names.
//
// # Rewriting
//
// yaegi treats imported variables of basic kind as constants and reflect
// cannot write unexported fields, so checked code is rewritten before it
// runs (rewrite.go): a frame local x becomes (*lp_frame.x), a pointer the
// agent binds to the address that Delve takes in the injected call; a
// package variable v becomes (*lpAddr_v); an unexported field access c.n
// becomes (*lpField_T_n(c)); a method a change adds to a compiled type is
// reached through the function lpNew_T_m(recv). Writes therefore reach the
// program's own memory. Functions declared at the prompt get a depth guard
// (guard.go). Constructs yaegi lacks or runs wrongly are lowered to forms
// it runs right, one file per kind: composite literals, builtins, loops
// and ranges (lower.go), range over functions (rangefunc.go), defers and
// control flow around them (defer.go), interpreter crashes
// (workaround.go, statements.go), unexported fields and reflect-free
// accessors (fields.go), parameters named like types (params.go), and
// generic code, through the build's instantiations or interpreted
// (generic.go). A construct the rewriter cannot express is refused with
// its position.
package change
