// Package rewrite turns Go checked against the build's type information
// into source that the agent's interpreter (yaegi, package target/agent)
// runs as the compiled program would. It knows the type information and
// the names the build generates, not the checker that produced its input:
// it imports neither internal/change nor Delve, DAP or the proxy.
//
// # The input
//
// An Input is one checked prompt input, or one declaration of a checked
// saved change (package change builds it): the syntax and its
// *types.Info, the text with its offsets, the frame's locals, the
// package and the names of its imports, the program's lookups (packages,
// user packages, import specs, instantiation symbols) and, for a change,
// a Change. Rewrite and Prompt return an Output: the source, the frame
// locals it binds (wire.FrameVar), the import specs it needs. A construct
// the rewriter cannot express is an *Error with its line:col in the input.
//
// # What is rewritten
//
// yaegi treats imported variables of basic kind as constants and reflect
// cannot write unexported fields, so writes must reach the program's own
// memory through pointers (rewrite.go): a frame local x becomes
// (*lp_frame.x), a pointer the agent binds to the address that Delve takes
// in the injected call (agent.FramePackage); a package variable v becomes
// (*lpAddr_v); an unexported field access c.n becomes (*lpField_T_n(c)); an
// unexported method is reached through lpMethod_T_m(recv) (the builder's
// symbols, patcher.VarAddrPrefix, FieldAccessorPrefix,
// MethodAccessorPrefix); a method a change adds to a compiled type through
// lpNew_T_m(recv) (NewMethodPrefix), and one it adds to a compiled
// interface type, called through a value of it, through a dispatch on the
// value's dynamic type (ifacecalls.go); a field a change adds to a
// compiled struct type through the agent's side table, lp_side.Field(&x,
// ...), reached only from a value that keeps its address, with the copies
// of such values refused (sidefields.go). Functions declared at the prompt get a depth guard
// (guard.go).
//
// Constructs yaegi lacks or runs wrongly are lowered to forms it runs
// right, on the same lines, one file per construct: composite literals
// (composite.go), calls of builtins (builtins.go), for and range loops
// (loops.go), select statements (selects.go), compiled package variables
// read live (livevars.go), unexported fields and reflect-free accessors
// (fields.go), parameters named like types (params.go), and generic code,
// through the build's instantiations or interpreted (generic.go). Two
// sub-packages write through this package's substitutions, which they
// reach as an interface (host.go), so that they do not import it back:
// package lower (internal/rewrite/lower, a lower.Host) lowers ranges over
// functions and the iter.Seq types, and defers with the control flow
// around them; package workaround (internal/rewrite/workaround, a
// workaround.Host) rewrites the statements and expressions yaegi runs
// wrongly or its compiler crashes on, where the syntax and type
// information suffice.
package rewrite
