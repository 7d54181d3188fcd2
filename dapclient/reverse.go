package dapclient

import (
	"encoding/json"
	"fmt"
)

// RawRequest is a request sent by the server to the client (a reverse
// request such as runInTerminal or startDebugging).
type RawRequest struct {
	Seq       int
	Command   string
	Arguments json.RawMessage
	Raw       json.RawMessage
}

// A ReverseRequestHandler answers a reverse request: the client sends a
// successful response with body (nil for none) when err is nil, otherwise an
// error response with err's text. Handlers run on their own goroutine, one
// per request, and may call methods of the Client.
type ReverseRequestHandler func(req *RawRequest) (body any, err error)

// refuseReverse is the default ReverseRequestHandler.
func refuseReverse(req *RawRequest) (any, error) {
	return nil, fmt.Errorf("%s is not supported by this client", req.Command)
}

// receiveRequest answers a reverse request on a new goroutine, so that the
// reader never blocks on a write.
func (c *Client) receiveRequest(req *RawRequest) {
	h := c.reverse
	if h == nil {
		h = refuseReverse
	}
	go func() {
		body, err := h(req)
		resp := struct {
			Seq        int    `json:"seq"`
			Type       string `json:"type"`
			RequestSeq int    `json:"request_seq"`
			Command    string `json:"command"`
			Success    bool   `json:"success"`
			Message    string `json:"message,omitempty"`
			Body       any    `json:"body,omitempty"`
		}{Seq: c.NextSeq(), Type: "response", RequestSeq: req.Seq, Command: req.Command, Success: err == nil, Body: body}
		if err != nil {
			resp.Message = err.Error()
		}
		b, merr := json.Marshal(resp)
		if merr != nil {
			c.log.Warn("dap reverse response", "command", req.Command, "err", merr)
			return
		}
		if werr := c.writeMessage(b); werr != nil {
			c.log.Debug("dap reverse response", "command", req.Command, "err", werr)
		}
	}()
}
