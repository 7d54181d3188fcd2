package dapclient

import (
	"log/slog"

	"github.com/google/go-dap"
)

// An Option configures a Client created by New.
type Option func(*Client)

// WithLogger makes the client log traffic at debug level and protocol
// problems at warn level to l. The default discards logs.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) {
		if l != nil {
			c.log = l
		}
	}
}

// WithReverseRequestHandler installs h to answer requests sent by the server
// (runInTerminal, startDebugging, or any other). Without it every reverse
// request gets an error response.
func WithReverseRequestHandler(h ReverseRequestHandler) Option {
	return func(c *Client) { c.reverse = h }
}

// WithEventFilter makes the client queue only the events for which keep
// returns true; the others are still passed to OnEvent callbacks and kept in
// the transcript. Long-lived clients use it so that events nobody waits for
// (output, for instance) do not accumulate. keep is called from the reader
// goroutine.
func WithEventFilter(keep func(dap.EventMessage) bool) Option {
	return func(c *Client) { c.keepEvent = keep }
}

// WithoutTranscript makes the client forget received messages instead of
// keeping them for Transcript, which then returns nil.
func WithoutTranscript() Option {
	return func(c *Client) { c.noTranscript = true }
}
