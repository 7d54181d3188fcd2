// Package frame checks an input of the Go prompt in the scope of a paused
// frame and rewrites it for the agent's interpreter (package
// target/agent). It knows the build, through change.Program, not the
// debugger: it imports no Delve, no DAP and not the proxy. The REPL
// (package prompt) finds the frame; this package says what an input
// typed there means.
//
// # The scope of a paused line
//
// At returns the Scope of a paused line of a user file: the arguments and
// locals declared before the line, the package's objects and the file's
// imports (scope.go). InPackage returns the scope of a user package, with
// its objects and no locals or file imports: the prompt's package scope,
// while the program runs. InSaved returns the scope at a line of a
// saved function that runs natively (a change.Checked): the saved
// declaration's arguments and locals, the saved file's imports, the
// build's package objects. Scope.Vars, Scope.Package and Scope.Imports give
// the prompt's completions what the scope holds.
//
// # Checking an input
//
// Scope.Input parses an input as declarations or statements (input.go),
// checks it after the declaring inputs of the session (History,
// history.go) and rewrites it. The check (check.go) uses a scratch
// package with the frame package's path that holds the frame's locals and
// the package's objects, and one synthetic file that holds the earlier
// inputs and the new one, each in a block inside one function. Errors are
// diag.Diagnostics, each at its line:col of the input. A package that
// the input names without importing it is imported for it, as goimports
// would, when the interpreter can use it (change.Program.MissingImports);
// an import or a name of one it cannot use (linked only as a dependency,
// or not linked) is refused in one line that says why and what to do
// (change.Program.Unavailable).
// Input.Notes says when a frame local the input writes may have been
// folded by the compiler (fold.go). Scope.Operand tells the prompt's
// completions what an expression names.
//
// # Rewriting
//
// What the check knows of the input becomes a rewrite.Input, and
// change.Program.Rewrite adds the build's side of it and rewrites it, as
// it does a declaration of a saved file; a construct the rewriter cannot
// express is a diag.Diagnostic of kind RefusedInterpreter.
package frame
