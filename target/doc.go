// Package target is the host side of livepatch's interpreter agent: it
// carries the source of the target-side package target/agent and writes it
// as a small module that the patchable build adds to the user's program.
//
// The agent itself (package target/agent) runs inside the target; the
// clients that talk to it from the host are in package internal/agentclient.
package target
