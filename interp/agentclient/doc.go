// Package agentclient talks to the livepatch agent inside a target program
// from the host. SocketClient uses the agent's unix socket while the target
// runs; CallClient uses Delve call injection while the target is stopped.
// Both send the same requests (see package interp/agent) and offer the same
// operations.
package agentclient
