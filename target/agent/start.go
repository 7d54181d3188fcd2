package agent

import (
	"os"
	"sync"

	"github.com/livepatch/livepatch/target/agent/hostlink"
)

// entryPoints keeps the functions that only a debugger calls in the binary:
// the linker removes functions that nothing references.
var entryPoints []func(int) int

// frameEntryPoints keeps ServeFrame in the binary, as entryPoints does Serve.
var frameEntryPoints []func(n int, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15 uintptr) int

var startOnce sync.Once

// server is the socket server started by Start, if any.
var server *Server

// Start prepares the agent in a patchable program; generated code calls it
// from an init function of the main package. With LIVEPATCH_AGENT_HOST set,
// the program ends with the host (hostlink.Watch). When LIVEPATCH_AGENT_SOCKET and
// LIVEPATCH_AGENT_TOKEN are set, it listens on that socket, and logs to the
// host through the fifo beside it (hostlink.LogName) when there is one; it unsets
// these variables either way. With hostlink.EnvHold set as well, Start
// then waits for the host's wire.OpRelease (see hostlink.EnvHold). Start never fails the program: problems
// are logged (to stderr without the host's fifo). Calls after the first do nothing.
func Start() {
	startOnce.Do(func() {
		entryPoints = append(entryPoints, Serve)
		frameEntryPoints = append(frameEntryPoints, ServeFrame)
		path, token, holdVal, host := os.Getenv(EnvSocket), os.Getenv(EnvToken), os.Getenv(hostlink.EnvHold), os.Getenv(hostlink.EnvHost)
		os.Unsetenv(EnvSocket)
		os.Unsetenv(EnvToken)
		os.Unsetenv(hostlink.EnvHold)
		os.Unsetenv(hostlink.EnvHost)
		if path != "" {
			logger = hostlink.LogTo(path, logger)
		}
		if host != "" {
			hostlink.Watch(host, logger)
		}
		if path == "" {
			return
		}
		s, err := Listen(path, token)
		if err != nil {
			logger.Warn("agent socket", "err", err)
			return
		}
		server = s
		limit, err := hostlink.HoldLimit(holdVal)
		if err != nil {
			logger.Warn("agent hold", "err", err)
			return
		}
		if limit > 0 {
			hostlink.Hold(limit)
		}
	})
}
