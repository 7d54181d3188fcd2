// Package lang exercises Go constructs through ordinary functions, for
// livepatch test --repatch=all: every function here runs interpreted, and
// the tests check that it behaves as compiled Go does.
package lang
