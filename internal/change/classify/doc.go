// Package classify decides, from the declarations as written, what a save
// changes: it compares each saved file of a package with its compiled form
// and its text as last planned, given the live patches, before anything is
// type-checked. Package change builds on it (Checker.PlanSave); it knows
// the build only through the Build interface (change.Build: the
// manifest's functions and the declarations of the compiled files), and
// reports its refusals and notes as diag.Diagnostics.
//
// ParseFileDecls (decls.go) indexes the top-level declarations of a file:
// each function by key with its text, its code without comments and
// layout (so that an edit of comments or layout alone patches nothing)
// and its signature's types without parameter names (so that renaming a
// parameter changes no signature); the types; the constants and variables
// with their specs as written.
//
// Files classifies the files of one save together and returns a Plan.
// Each part decides one thing: whether a file may change at all (cgo,
// classify.go), its types (classifytypes.go: a changed type is refused,
// but for struct fields added, which go live in the agent's side table,
// and removed, which package change checks against their compiled users,
// and for interface types and removed types, which package change decides
// once the package is checked; a type written otherwise, `any` for
// `interface{}`, is no change: Build.SameType compares type expressions
// as types of the build, in fields, signatures and declarations),
// its variables (classifyvars.go: a new one or a changed declaration is a
// VarChange that package change judges once the package is checked), each
// function (classifyfuncs.go: a body to apply, a new function the applied
// ones may use, a function edited back to its compiled form, a removed
// one, or a refusal) and the plain functions whose signature changed
// (resigned.go: helpers of their callers when every compiled caller is
// patched with them).
package classify
