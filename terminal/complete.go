package terminal

import (
	"strings"

	"github.com/google/go-dap"
)

// complete is liner's word completer: command names at the start of a
// line, and otherwise what the server's completions request offers, when
// it advertises one. It runs on the prompt's goroutine.
func (s *session) complete(line string, pos int) (head string, completions []string, tail string) {
	before, after := line[:pos], line[pos:]
	if !strings.ContainsAny(strings.TrimLeft(before, " "), " \t") {
		word := strings.TrimLeft(before, " ")
		for _, n := range commandNames() {
			if strings.HasPrefix(n, word) {
				completions = append(completions, n+" ")
			}
		}
		if len(completions) > 0 || !s.caps.SupportsCompletionsRequest {
			return before[:len(before)-len(word)], completions, after
		}
	}
	if !s.caps.SupportsCompletionsRequest {
		return before, nil, after
	}
	// A command's argument is completed as Go, as if typed alone.
	text, offset := line, 0
	if name, rest, ok := strings.Cut(strings.TrimLeft(line, " "), " "); ok && lookup(name) != nil {
		offset = len(line) - len(rest)
		text = rest
	}
	if pos < offset {
		return before, nil, after
	}
	resp, err := s.call(&dap.CompletionsRequest{Request: request("completions"), Arguments: dap.CompletionsArguments{
		FrameId: s.frameID(), Text: text, Column: pos - offset + 1,
	}})
	if err != nil {
		return before, nil, after
	}
	targets := resp.(*dap.CompletionsResponse).Body.Targets
	// Targets replace [start, start+length) of text (0-based when given),
	// by default the word before the cursor.
	start := pos - offset
	for start > 0 && isIdentByte(text[start-1]) {
		start--
	}
	end := pos - offset
	for _, t := range targets {
		if t.Start > 0 || t.Length > 0 {
			start, end = t.Start, t.Start+t.Length
			break
		}
	}
	start, end = min(max(start, 0), len(text)), min(max(end, 0), len(text))
	for _, t := range targets {
		c := t.Text
		if c == "" {
			c = t.Label
		}
		completions = append(completions, c)
	}
	return line[:offset+start], completions, line[offset+end:]
}

// isIdentByte reports whether b can be part of a Go identifier or a
// selector chain.
func isIdentByte(b byte) bool {
	return b == '_' || b == '.' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}
