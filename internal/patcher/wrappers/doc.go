// Package wrappers writes the interface wrappers of a patchable build.
//
// When interpreted code turns a value of an interpreted type into a
// compiled interface type I of package p (`var s Shape = circle{}`, an
// argument of a compiled function taking a Shape), yaegi v0.16.1 builds a
// value of the wrapper type that the symbol "_I" of p names: a struct type
// whose first field, IValue, holds the interpreted value and whose other
// fields, one "W" + method name per method of I, hold the interpreted
// methods as funcs; its methods, which implement I, call those fields.
// Compiled code then calls the interpreted methods through it. A Go type
// with methods cannot be made at run time, so the builder writes them:
// every user package gets a file declaring the wrappers of its own
// interfaces (unexported ones and ones with unexported methods included:
// the file is in the package), and the root package one for the
// interfaces of the standard-library and dependency packages whose tables
// it registers, those the tables reach. The generated file registers each
// wrapper with agent.RegisterInterfaceWrappers, paired with its interface
// type: the agent files it under the package yaegi finds through
// reflect, which is "main" for a main package's interfaces. An interface
// left without a wrapper gets the agent's method-less stand-in (see
// package target/agent/ifacewrap), enough for nil.
//
// File writes the wrappers file of one package; the builder adds it to
// the overlay, a file of its own so that a wrapper the compiler rejects
// costs only that file.
package wrappers
