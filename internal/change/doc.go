// Package change turns a saved file or a prompt declaration into a
// checked change rewritten for the agent's interpreter (package
// target/agent). It knows the build, not the debugger: it imports no
// Delve, no DAP and not the proxy. The checking of a Go prompt input in a
// paused frame's scope is package change/frame, which builds on this
// package's Program and rewriting, and reports in package change/diag's
// Diagnostics.
//
// # One snapshot per build
//
// A Build (build.go) is the snapshot of one patchable build, made once by
// Checker.UseBuild right after the go command: the manifest's functions,
// the package directories and names, the sources as built and their
// declarations (package change/classify), and, loaded on first use, the type information
// (Program). The prompt and live patching share one Checker, so one
// snapshot serves both.
//
// A Program is the type information of one patchable build, indexed from
// patcher.Result.TypeInfo: every loaded package by path, the user's
// (instrumented) packages and their files. Build.users and Build.callers
// (callers.go) find the compiled functions that use a package-level
// object; Build.StartupOnly (startup.go) tells the functions that, as the
// source shows, are called at most once, at start-up. Package change/frame reads a Program through its accessors
// (Package, UserFile, Importer, ...; program.go) and imports, for an
// input that names a package without importing it, what
// Program.MissingImports finds (imports.go), as Checker.RewriteInput does:
// the package of that name as goimports would choose it, when interpreted
// code can use it (a user package or one the agent carries,
// Program.Available); a package it cannot use is refused in one line that
// says why (Program.Unavailable, Program.UnavailablePackages; pkgnames.go).
// A save the native tier can take (Save.Native) is checked with the
// packages the program does not link loaded from source, and a change
// that imports one, or one the agent does not carry, or one whose
// rewriting for the interpreter is refused for the interpreter's sake, is
// planned native only (Plan.NativeOnly; unlinked.go).
//
// # Classification
//
// Checker.PlanSave (plan.go) decides what a save changes before anything
// is checked. A save is the saved file with the other files of its
// package that differ from their compiled text (Save.Files), classified
// and type-checked together, so that a declaration one file adds is seen
// by the others and a signature change applies when its compiled callers,
// in whichever file, are patched with it. It compares each file with its compiled form,
// its text as last planned and the live patches (classify.Live), and decides
// each declaration (package change/classify): a body to apply, a new declaration the
// applied bodies may use, a function edited back to its compiled form
// (reverted), or a refusal. Then it checks and rewrites the applied
// bodies, refuses changed constants that unpatched compiled code reads,
// and returns a Plan: the functions to make live (Patched, with their
// wire.Patch), the keys to revert and the notes. Signatures are compared
// by their types, not their parameters' names. A removed function is a
// note (its compiled body stays, unused) unless unpatched compiled code
// uses it. A new package variable goes live with the applied bodies
// (Plan.Vars; the agent makes it and runs its initializer once, in Go's
// initialization order: planvars.go), unless a save made it live already
// (Save.Vars) with the same declaration; a changed declaration of a
// compiled or live variable is a note that it keeps its value, with the
// prompt assignment that sets it, or a refusal when its type changed; a
// blank variable (var _ I = (*T)(nil)) is checked with the package; a
// removed compiled variable is a note (it stays, unused) unless unpatched
// compiled code uses it. The
// prompt's inputs see the live variables (Program.VarsLive).
// A struct field added to a compiled type goes live, kept in the
// agent's side table by the rewriting (not an embedded or tagged field,
// nor one of a generic type); a removed field goes live unless unpatched
// compiled code uses it (classifyfields.go); a retyped or retagged field
// is refused, and reordered fields go live with a note, their unkeyed
// literals given keys (change/classify, rewrite.FieldsReordered). Types are compared as
// types, not as text (identical.go: `any` is `interface{}`). An interface
// type whose method set changes (and one that embeds it) goes live unless
// code depends on its compiled method set, and a removed type unless
// unpatched compiled code uses it (interfaces.go, removedtypes.go). A
// save is checked at the go line of its module's go.mod on disk, which a
// save may raise (goversion.go). A change that spans packages is refused,
// with that reason (crosspkg.go): a change is planned one package at a
// time. Compiled functions that a file of the save declares unchanged,
// but that use a declaration the save changes (a constant, a removed or
// retyped variable, a removed field or type), are patched as they are, as
// a rebuild compiles them anew (repatch.go). The Program records the
// fields live saves added, so that the prompt reaches them too
// (sidefields.go). A file new since the build joins its package (Build.NewFile,
// newfile.go); a changed file that //go:embed embeds refuses the changes
// of its package (embed.go). Refusals and notes are
// diag.Diagnostics, formatted only where they reach a person.
// Checker.Redefine does the same for a prompt input that redefines
// functions of the program (redefine.go).
//
// # Saved files and declarations
//
// Checker.RewriteChange type-checks the new text of a file of the build
// (PlanSave: of several files of one package, saved.go) together with
// the other files of its package as built (their syntax is
// kept from the build; imports resolve to the loaded packages that the
// interpreter can import, and another import, even of a package linked
// only as a dependency, is refused with why: pkgnames.go), in a fresh
// types.Package. Only the bodies the change rewrites are checked: those of
// the functions asked for and of what the file declares anew. Errors are
// diag.Diagnostics (package change/diag), each at its file:line:col; so is a new
// method that would make a compiled type satisfy an interface. What is
// new (functions, methods, types) comes from comparing scopes with the
// build, constants are compared by value. Checker.RewriteInput does the same for prompt
// declarations spliced into the compiled text of a file, importing a
// linked package the file does not import when its name is unique.
// Checker.Compiled tells whether the build compiled a file (build
// constraints may leave one out). The result, a Change, holds the
// rewritten replacements, helpers and imports (change.go).
//
// # Rewriting
//
// Checked code is rewritten for the agent's interpreter by package
// internal/rewrite. What a check knows of the code makes one half of the
// rewrite.Input: this package writes it for a declaration of a saved file
// (declInput), package change/frame for a prompt input. Program.Rewrite
// (rewriting.go) sets the build's half, the same for both, rewrites, and
// turns a rewrite.Error into a Diagnostic of kind RefusedInterpreter. For a
// saved change, the compiled generic functions the rewritten code needs
// interpreted come back in rewrite.Change.Generics and are rewritten as
// helpers of the change (generics.go), as is the lpNew_T_m function of
// each method the change adds to a compiled type (change.go).
package change
