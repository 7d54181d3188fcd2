// Package layers holds no code: its test is the statement of which of
// livepatch's packages may depend on which, in the manner of go/build's
// deps_test.go. Each rule names a package and what it must never link,
// with the reason; the test checks the whole dependency graph of each
// against the rules, so a change that breaks a layer fails at once.
//
// The layers, from the target up:
//
//	target/agent          runs inside the user's program: std and yaegi only
//	target/agent/bintypes the agent's rewriting for compiled types: std and yaegi, not the agent
//	target/agent/hostlink the agent's ties to the host process: std only
//	target/agent/fmtvalue values of interpreted types as fmt sees them: std and yaegi, not the agent
//	target/agent/side     the side table of added fields: std and yaegi, not the agent
//	target/agent/wire     the protocol between host and agent: std only
//	target                carries the agent's source: std only
//	dapclient             a DAP client for anyone: std and go-dap only
//	internal/replsyntax   what a prompt client needs to know of inputs: std only
//	internal/terminal     the terminal client: a DAP client, no debugger, interpreter or type checker
//	internal/patcher      the builder: no debugger, no DAP
//	internal/patcher/naming    what generated code can name: std only
//	internal/patcher/wrappers  the interface wrappers: naming, no debugger, DAP or loading
//	internal/dapproxy     the DAP proxy over Delve: no interpreter, no type checker, no livepatch package
//	internal/agentclient  the host's channels to the agent: no DAP, no type checker
//	internal/change/diag  the diagnostics of a check: std only
//	internal/change/classify  a save's declarations classified as written: diag and the manifest, not change
//	internal/change       checking and rewriting changes: no debugger, no DAP, not the proxy
//	internal/change/frame checking prompt inputs in a frame's scope: change's rules, and not the agent's channels
//	internal/repatch      the fidelity runner: no DAP server
//	internal/prompt, internal/livepatch, internal/cli: the host
package layers
