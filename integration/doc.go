// Package integration holds livepatch's end-to-end tests: real Delve, real
// debuggee processes built from the fixture programs under testdata/, and
// real DAP clients (the Go client in dapclient and, under js/, the npm
// package @vscode/debugadapter-testsupport).
//
// Run them with `go test ./integration/`; `make test` runs them with the rest.
package integration
