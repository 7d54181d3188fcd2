// Package patcher builds a patchable binary of a Go program: a debug build
// (`-gcflags=all=-N -l`) in which every function and method of the user's
// packages starts with a dispatch prologue that consults the agent's
// dispatch table, and in which the agent (package
// github.com/livepatch/livepatch/target/agent) is linked in together with
// yaegi symbol tables for the user's packages and for the standard-library
// packages they import.
//
// The user's files are never touched. Build loads and type-checks the
// packages once with golang.org/x/tools/go/packages, writes instrumented
// copies of the user's files and generated files into a stable build
// directory under os.UserCacheDir()/livepatch/build, and runs `go build`
// (or `go test -c`) with an -overlay that maps the copies over the
// originals. Unchanged sources give byte-identical overlay files at the
// same paths, so a rebuild hits the build cache. Each build marks its
// directory used and removes the others beyond the 8 most recently used
// that have not been used for an hour, so trees built once do not pile up.
//
// # Warm builds
//
// After a successful build, the build directory records a fingerprint of
// its inputs (state.json): the options, the GO*, CGO_*, CC and CXX
// variables, the toolchain and target platform as `go env` reports them,
// the running livepatch executable (path, size and modification time), the
// go.mod, go.sum, go.work and go.work.sum files, and the names and
// contents of the .go files in the directories of the user's packages (in
// every package directory of the user modules when a pattern contains
// "..."). When the next build of the same module and options finds the
// same fingerprint, it skips loading and instrumenting and runs the go
// command on the previous overlay (Result.Reused); it falls back to a full
// build when that fails. The go command always writes the binary to the
// same path in the build directory, where it finds an unchanged binary up
// to date and does not link it again; Build hard-links (or copies) it to
// the output. Packages outside the user modules are not fingerprinted: the
// go command sees their changes, and the generated files do not depend on
// them. A reused build loads the type information in the background after
// it returns (Result.TypeInfo).//
// # Prologue
//
// Function number N gets, on the line of its opening brace (so that no line
// moves and the debugger shows the user's files and lines):
//
//	if lp_atomic.LoadUint32(&lpRan_B[N-B]) == 0 { lp_atomic.StoreUint32(&lpRan_B[N-B], 1) }; lpT := lp_atomic.LoadPointer(&lp_agent.Current); if lpT != nil { if *(*uintptr)(lpT) > N { if lpF := (*[N+3]lpFn_N)(lpT)[N+2]; lpF != nil { return lpF(recv, a, xs...) } } }; lpT = nil;
//
// agent.Current points to the published table's block of words: the
// number of slots, the table, then slot N per function, which holds the
// replacement as a value of the alias type lpFn_N (a func value is one
// word) or nil. The patched path is one atomic load, a bound check, a
// load and an indirect call: no interface and no type assertion, which
// cost a native patch of a trivial method about 1 ns per call under `-N
// -l` (the agent puts in a slot only a value of the function's alias
// type).
//
// The first statement marks the function as run: lpRan_B is its file's
// array of ran flags, named for B, the file's first index (the functions
// of a file have consecutive indexes), declared with the generated code
// and registered with agent.RegisterRan(B, lpRan_B[:]). A plain load and
// a branch on every call, a store on the first: about 0.3 ns per call in
// the prologue benchmark, within its run-to-run noise.
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
// at package scope), and an init with one agent.RegisterFunc(N, key, wrap)
// line per function, where wrap is an instance of one of the agent's
// generic typed wrappers inferred from the alias, agent.Func2_1((lpFn_N)(nil))
// (the patched call then crosses reflect once, inside yaegi) for
// signatures of at most two parameters and results together, and for
// longer ones agent.Wrapper of the alias's reflect type (reflect.MakeFunc),
// which costs no code per signature. Either re-panics with the original panic value
// through agent.Repanic. There is no per-function wrapper code, which under
// `-N -l` cost about 700 bytes of machine code each; instances of a generic
// wrapper are shared by every signature of one GC shape.
//
// Not patchable (listed in the manifest with the reason): functions without
// a body, init functions, generic functions and methods of generic types,
// functions marked //go:nosplit, //go:linkname, //go:systemstack,
// //go:nowritebarrier*, //go:uintptr*, //go:norace, //go:cgo_unsafe_args
// or //export, functions in cgo files, and functions with a name that
// clashes with the generated ones (lp_*, lpT, lpF, lpOK, lpR, lpP<n>,
// lpFn_*, lpRan_*).
// Test files are not instrumented.
//
// # Symbols
//
// Each user package gets an added file, zz_livepatch_symbols.go, that
// registers with agent.RegisterPackage every package-level function, type
// (as reflect.ValueOf((*T)(nil))), constant (untyped ones as go/constant
// values) and variable (as reflect.ValueOf(&v).Elem(), plus its address as
// lpAddr_v), exported or not, accessors lpField_T_f func(*T) *F for
// the unexported fields of its struct types, and accessors
// lpMethod_T_m(x) that return the method value x.m of each unexported
// method (the interpreter reaches compiled methods through reflect, which
// sees only exported ones). The packages named on the
// command line also get zz_livepatch_stdlib.go with the exported symbols of
// the standard-library packages that the user's packages (and their test
// files) import directly plus a default set (fmt, strings, strconv, errors,
// bytes, sort, slices, maps, time, math, sync, os, io), and call
// agent.Start from an init (agent.StartTest in a test build with
// Options.HoldInTestMain, whose generated TestMain, zz_livepatch_testmain_test.go, holds the binary for
// its patches after every package's init and then runs the user's
// TestMain, renamed UserTestMain in the overlay, or the tests:
// testmain.go; it calls agent.StartTest too, for a package of external
// tests only, which has no file to start it from). Other standard-library packages the program
// links are not available to the interpreter: tables for every linked
// package keep all their exported code in the binary (+13.0 MB against
// +11.1 MB over the plain debug build for Delve's cmd/dlv).
//
// The tables are package-level arrays of {name, value, kind}, one element
// per line, which the compiler lays out as static data even under
// `-N -l`; a small function (lp_register) turns them into the agent's maps
// at init. (As map literals of reflect.ValueOf calls they were init code,
// about 190 bytes per symbol.)
//
// Every user package also gets zz_livepatch_native.go, which
// exports what the package does not (aliases of unexported types,
// variables holding unexported functions and variables' addresses,
// constants, and accessors of unexported fields and methods, named with
// NativeTypePrefix and the others), for the native tier's plugins, which
// are other packages (package main too: NativeBuild.MainForPlugin and
// nativemain.go); Result.Native keeps what a plugin build needs to
// reproduce the build's packages (NativeBuild.Plugin), in a test build
// the package under test with its test files (TestedPackage,
// nativetest.go).
//
// A package with interface types also gets zz_livepatch_ifaces.go: for each
// interface with methods, a wrapper type through which the interpreter
// passes a value of a type that patched code declares as that interface
// (yaegi's "_I" convention, see package wrappers), registered with
// agent.RegisterInterfaceWrappers. The packages named on the command line
// also declare wrappers for the interfaces of the standard-library and
// dependency packages whose tables they register, those that the tables
// reach (about 0.13 MB for examples/counter, 0.55 MB for Delve's cmd/dlv).
//
// # Modules
//
// Which files and packages are the user's, and how the agent module is
// made resolvable (an alternate go.mod and go.sum, or go.work, that
// require it), is package internal/usermod's part. -mod=mod ignores a
// vendor directory: vendored dependencies come from their local
// replacements or the module cache, so an offline build of a vendored
// module works only when its dependencies are replaced by local
// directories or already in the module cache.
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
