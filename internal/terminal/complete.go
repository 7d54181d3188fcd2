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
	return splice(line, offset, pos, resp.(*dap.CompletionsResponse).Body.Targets)
}

// splice turns completion targets for line[offset:] with the cursor at pos
// into liner's head, completions and tail. A target replaces the range
// [start, start+length) of the text when it gives one (start is 1-based, as
// the session declares columnsStartAt1), and otherwise the identifier
// before the cursor.
func splice(line string, offset, pos int, targets []dap.CompletionItem) (head string, completions []string, tail string) {
	text := line[offset:]
	start := pos - offset
	for start > 0 && isIdentByte(text[start-1]) {
		start--
	}
	end := pos - offset
	for _, t := range targets {
		if t.Start > 0 {
			start, end = t.Start-1, t.Start-1+t.Length
			break
		}
	}
	start, end = min(max(start, 0), len(text)), min(max(end, start), len(text))
	for _, t := range targets {
		c := t.Text
		if c == "" {
			c = t.Label
		}
		completions = append(completions, c)
	}
	return line[:offset+start], completions, line[offset+end:]
}

// isIdentByte reports whether b can be part of a Go identifier.
func isIdentByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}
