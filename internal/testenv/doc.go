// Package testenv holds the helpers that tests of several packages share, as
// Delve's pkg/proc/test does for its tests: a context that ends a little
// before the test's deadline, subprocesses that die with the test, Delve's
// DAP server run in process, a buffer a test can wait on, and a program on a
// pseudo-terminal.
//
// Only _test.go files import it; nothing the product links depends on it
// (go list -deps ./cmd/livepatch does not list it). Its helpers fail the
// test they are given rather than return errors, except where they run
// before there is a test (in TestMain).
package testenv
