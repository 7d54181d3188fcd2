//go:build !linux

package hostlink

import "log/slog"

// Watch does nothing on systems other than Linux: there the debugger
// starts the program through a server of its own (debugserver on macOS),
// so the host is not the program's parent, and no kernel facility ends the
// program with the host. The host's own cleanup on exit stops it.
func Watch(host string, logger *slog.Logger) {}
