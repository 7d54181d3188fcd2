package dapproxy

import (
	"encoding/json"
	"fmt"

	"github.com/google/go-dap"
)

// Error ids of the responses livepatch itself sends. Delve's own ids
// (service/dap/error_ids.go) are below 10000; ours start at 10000 so the two
// never collide. An id, once released, keeps its meaning.
const (
	// ErrInvalidMessage answers a message that is not valid DAP JSON.
	ErrInvalidMessage = 10000
	// ErrNotInitialized answers a request sent before initialize.
	ErrNotInitialized = 10001
	// ErrNoSession answers a request that needs a debug session before launch.
	ErrNoSession = 10002
	// ErrInternal answers a request whose handler failed unexpectedly.
	ErrInternal = 10003
	// ErrRequestFailed answers a livepatch request that failed for a reason
	// the user should read.
	ErrRequestFailed = 10004

	// ErrPromptInput answers a Go prompt input that does not compile: a
	// syntax or type error, shown as line:col: message of the input.
	ErrPromptInput = 10100
	// ErrPromptPanic answers a Go prompt input that panicked in the target.
	ErrPromptPanic = 10101
	// ErrPromptTimeout answers a Go prompt input stopped after its time limit.
	ErrPromptTimeout = 10102
	// ErrPromptUnavailable answers a Go prompt input that cannot run now:
	// no patchable launch, the target is running, or the frame is unknown.
	ErrPromptUnavailable = 10103
	// ErrPromptFailed answers a Go prompt input that failed in the agent or
	// in the debugger's call.
	ErrPromptFailed = 10104

	// Delve's id for launch failures, reused so editors treat ours alike.
	errFailedToLaunch = 3000
	errFailedToAttach = 3001
)

// Error is a failure to answer a request, shown to the user with a stable id.
// Handlers return it to choose the id and summary of their error response.
type Error struct {
	ID       int
	Summary  string // short, e.g. "Failed to launch"
	Detail   string
	ShowUser bool
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Summary
	}
	return e.Summary + ": " + e.Detail
}

// errorResponse encodes an error response to the request with the given
// client seq and command, in the form Delve uses.
func errorResponse(requestSeq int, command string, e *Error) []byte {
	r := dap.ErrorResponse{
		Response: dap.Response{
			ProtocolMessage: dap.ProtocolMessage{Type: "response"},
			RequestSeq:      requestSeq,
			Command:         command,
			Success:         false,
			Message:         e.Summary,
		},
		Body: dap.ErrorResponseBody{Error: &dap.ErrorMessage{
			Id:       e.ID,
			Format:   e.Error(),
			ShowUser: e.ShowUser,
		}},
	}
	return mustMarshal(r)
}

// successResponse encodes a success response with an optional body.
func successResponse(requestSeq int, command string, body any) []byte {
	type response struct {
		dap.Response
		Body any `json:"body,omitempty"`
	}
	return mustMarshal(response{
		Response: dap.Response{
			ProtocolMessage: dap.ProtocolMessage{Type: "response"},
			RequestSeq:      requestSeq,
			Command:         command,
			Success:         true,
		},
		Body: body,
	})
}

// eventMessage encodes an event with the given body.
func eventMessage(event string, body any) []byte {
	type ev struct {
		dap.Event
		Body any `json:"body,omitempty"`
	}
	return mustMarshal(ev{Event: dap.Event{ProtocolMessage: dap.ProtocolMessage{Type: "event"}, Event: event}, Body: body})
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("dapproxy: encoding %T: %v", v, err))
	}
	return b
}
