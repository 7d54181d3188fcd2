// Package patcher builds a patchable binary of a Go program: a debug build
// (`-gcflags=all=-N -l`) in which every function and method of the user's
// packages starts with a dispatch prologue that consults the agent's
// dispatch table, and in which the agent (package
// github.com/livepatch/livepatch/interp/agent) is linked in together with
// yaegi symbol tables for the user's packages and for the standard-library
// packages the program links.
//
// The user's files are never touched. Build loads and type-checks the
// packages once with golang.org/x/tools/go/packages, writes instrumented
// copies of the user's files and generated files into a stable build
// directory under os.UserCacheDir()/livepatch/build, and runs `go build`
// (or `go test -c`) with an -overlay that maps the copies over the
// originals. Unchanged sources give byte-identical overlay files at the
// same paths, so a rebuild hits the build cache.
//
// # Prologue
//
// Function number N gets, on the line of its opening brace (so that no line
// moves and the debugger shows the user's files and lines):
//
//	lpT := (*lp_agent.Table)(lp_atomic.LoadPointer(&lp_agent.Current)); if lpT != nil { if lpF, lpOK := lpT.Fns[N].(lpFn_N); lpOK { return lpF(recv, a, xs...) } }; lpT = nil;
//
// The trailing assignment makes every path out of the prologue join on the
// brace's line; without it (with the load in the if statement's init) the
// compiler attributes the join to the next line, and a breakpoint on that
// line lands on a jump that the unpatched path never takes. The imports
// lp_agent, lp_atomic and lp_reflect are added after the package name, on
// the package clause's line. Unnamed and blank receivers and parameters are
// named (lpR, lpP<i>). After the file's last line, under
// `//line livepatch_generated_<file>.go:1`, come the alias lpFn_N = func(recv,
// params) results (types written as in the source, which resolve the same
// at package scope) and an init that calls agent.RegisterFunc(N, key, wrap),
// where wrap turns an interpreted function into an lpFn_N that re-panics
// with the original panic value (agent.Repanic).
//
// Not patchable (listed in the manifest with the reason): functions without
// a body, init functions, generic functions and methods of generic types,
// functions marked //go:nosplit, //go:linkname, //go:systemstack,
// //go:nowritebarrier*, //go:uintptr*, //go:norace, //go:cgo_unsafe_args
// or //export, functions in cgo files, and functions with a name that
// clashes with the generated ones (lp_*, lpT, lpF, lpOK, lpR, lpP<n>).
// Test files are not instrumented.
//
// # Symbols
//
// Each user package gets an added file, zz_livepatch_symbols.go, that
// registers with agent.RegisterPackage every package-level function, type
// (as reflect.ValueOf((*T)(nil))), constant (untyped ones as go/constant
// values) and variable (as reflect.ValueOf(&v).Elem(), plus its address as
// lpAddr_v), exported or not, and accessors lpField_T_f func(*T) *F for
// the unexported fields of its struct types. The packages named on the
// command line also get zz_livepatch_stdlib.go with the exported symbols of
// the standard-library packages the program links plus a default set (fmt,
// strings, strconv, errors, bytes, sort, slices, maps, time, math, sync, os,
// io), and call agent.Start from an init.
//
// # Modules
//
// In module mode the build uses -modfile with an alternate go.mod (the
// user's, plus require and replace of github.com/livepatch/livepatch to the
// agent module written by interp.WriteModule) and go.sum, and -mod=mod. In
// workspace mode it uses an alternate go.work (GOWORK) that adds the agent
// module. When the user's module is livepatch itself nothing is added.
// When the agent module needs a newer go version than the user's go.mod (or
// go.work) states, the alternate file states the agent's and keeps the
// program's semantics with a godebug default for the user's version and a
// -lang flag for the main module's packages. -mod=mod ignores a vendor
// directory: vendored dependencies come from their
// local replacements or the module cache, so an offline build of a vendored
// module works only when its dependencies are replaced by local directories
// or already in the module cache.
//
// # Failures
//
// A program that does not build yields a *BuildError with the go command's
// output, unchanged. When only the instrumented build fails (a shortcoming
// of the generator), Build leaves out what the compiler rejected, guided by
// its messages: an instrumented copy falls back to the original file (its
// functions become not patchable) and rejected symbol lines are dropped;
// then it builds again.
//
// Next to the binary Build writes a manifest, <output>.livepatch.json,
// listing every function with its dispatch index, or the reason it cannot be
// patched.
package patcher
