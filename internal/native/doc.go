// Package native is livepatch's native tier: it compiles the functions of
// a change that is live interpreted into a Go plugin (Source writes the
// plugin's package, Builder builds it in the background with the host
// build's flags and overlay), which the agent then loads and switches the
// dispatch to, for the whole change at once (agent.SwitchNative).
//
// A plugin is package main at a fresh import path in the patched
// package's directory, present only in the build's overlay. It hands its
// functions to the agent from its init (register.go). A plugin of package
// main reaches main through a stub the build reads as main's own compiled
// package (patcher.PluginMain). Its functions
// take the patched function's receiver first, so their types are the
// compiled functions' dispatch types, and reach the package's unexported
// names through the exports the patchable build generates
// (patcher.NativeTypePrefix and the others). Each function starts with a
// //line directive naming the saved file and line, and every edit keeps
// the lines, so the debugger shows the saved file's lines.
//
// What the change declares anew (functions, types with their methods,
// methods of compiled types, constants; package variables of a change
// with no interpreted patch) the plugin declares too (newdecls.go,
// newvars.go); a new method of a compiled type becomes a function of its
// receiver first. A function or method whose signature the change sets is
// declared as a new one, a changed constant with its new value. Literals
// of compiled struct types naming unexported fields are built through the
// accessors (literals.go), and fields a change adds to a compiled struct
// are reached in the agent's side table (sidefields.go).
//
// Not covered yet (the interpreted patch stays, and the caller says why
// once, from a *NotCoveredError): package variables declared anew while
// their interpreted patch runs, added fields of a type the change
// declares, method values of new methods, unexported fields and methods
// reached through embedded fields, method expressions of unexported
// methods, literals with unexported fields and their type elided, generic
// code and dot imports. A test binary's package under test is linked
// with its test files, and so is its plugin (patcher.TestedPackage);
// package main's, under its import path (patcher.PluginMain.Linked). Where plugins cannot be built at
// all (no cgo, a platform without plugins) the build gives an
// *UnavailableError.
package native
