// Package dapclient is a client for the Debug Adapter Protocol (DAP) over any
// byte stream.
//
// A Client frames messages with the DAP base protocol (Content-Length
// headers), decodes them with github.com/google/go-dap, and matches responses
// to requests by request_seq. One reader goroutine per Client receives every
// message: responses complete pending calls, events are queued in arrival
// order (never dropped) for WaitEvent and handed to OnEvent callbacks, and
// reverse requests from the server (runInTerminal, startDebugging) are
// answered by a handler, with an error response by default.
//
// The client is used by livepatch's terminal debugger and by tests that play
// the part of an editor, so it also offers low-level access: Send and SendRaw
// write messages exactly as given, and Transcript returns every message
// received.
//
// All methods of Client are safe for concurrent use.
package dapclient
