package dapproxy

import (
	"encoding/json"
)

// Frame is what a DAP frameId stands for: a stack frame of a goroutine.
// Delve numbers frames anew at every stop, so a Frame is only meaningful
// until the next stopped event.
type Frame struct {
	GoroutineID int64 // DAP threadId: Delve's goroutine id
	Index       int   // 0 is the innermost frame
}

// stackRequest is what the proxy keeps of a stackTrace request the client
// sent, to learn the frame ids of Delve's response.
type stackRequest struct {
	threadID   int64
	startFrame int
}

// parseStackRequest returns the arguments of a client's stackTrace request.
func parseStackRequest(m *message) *stackRequest {
	var a struct {
		ThreadID   int64 `json:"threadId"`
		StartFrame int   `json:"startFrame"`
	}
	if err := json.Unmarshal(rawArguments(m.raw), &a); err != nil {
		return nil
	}
	return &stackRequest{threadID: a.ThreadID, startFrame: a.StartFrame}
}

// recordFrames records the frame ids of Delve's response to a stackTrace
// request. The caller does not hold s.mu.
func (s *Session) recordFrames(req *stackRequest, m *message) {
	if !m.Success {
		return
	}
	var r struct {
		Body struct {
			StackFrames []struct {
				ID int `json:"id"`
			} `json:"stackFrames"`
		} `json:"body"`
	}
	if err := json.Unmarshal(m.raw, &r); err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frames == nil {
		s.frames = map[int]Frame{}
	}
	for i, f := range r.Body.StackFrames {
		s.frames[f.ID] = Frame{GoroutineID: req.threadID, Index: req.startFrame + i}
	}
}

// forgetFrames drops the frame ids of the previous stop. The caller holds s.mu.
func (s *Session) forgetFramesLocked() {
	s.frames = nil
}

// NoteFrame records that frameID, sent to the client in a stackTrace
// response that a handler made, stands for f until the next stop.
func (s *Session) NoteFrame(frameID int, f Frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frames == nil {
		s.frames = map[int]Frame{}
	}
	s.frames[frameID] = f
}

// Frame returns the goroutine and frame index that frameID, as the client
// received it in a stackTrace response since the last stop, stands for.
// ok is false for an id the proxy has not seen.
func (s *Session) Frame(frameID int) (f Frame, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok = s.frames[frameID]
	return f, ok
}

// FlushOutput sends to the client, as output events, everything the
// debuggee has written to its stdout and stderr so far (launches with
// outputMode "remote"), so that it arrives before the proxy's next message.
func (s *Session) FlushOutput() { s.drainOutput() }
