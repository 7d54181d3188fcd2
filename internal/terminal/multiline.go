package terminal

import (
	"context"
	"strings"

	"github.com/livepatch/livepatch/internal/replsyntax"
)

// ContinuationPrompt is the prompt of the lines that continue an
// incomplete Go input.
const ContinuationPrompt = "...... "

// readInput reads one input: a line, or, when the line is Go for the
// prompt that is not complete yet (an open block, call or literal, a
// trailing operator), that line and the continuation lines that complete
// it, joined with newlines. Its errors are those of lineReader.ReadLine; an
// error at a continuation line (Ctrl-C aborts, end of input ends the
// session) drops the lines read so far. It runs on the prompt's goroutine.
func (s *session) readInput(ctx context.Context) (string, error) {
	line, err := s.in.ReadLine(ctx, Prompt)
	if err != nil || !isGoInput(line) {
		return line, err
	}
	input := line
	for replsyntax.Incomplete(input) {
		next, err := s.in.ReadLine(ctx, ContinuationPrompt)
		if err != nil {
			return "", err
		}
		input += "\n" + next
	}
	return input, nil
}

// isGoInput reports whether execute sends line to the server's evaluate
// instead of running a command.
func isGoInput(line string) bool {
	if strings.TrimSpace(line) == "" {
		return false
	}
	name, args, _ := strings.Cut(strings.TrimSpace(line), " ")
	cmd := lookup(name)
	return cmd == nil || looksLikeGo(cmd, strings.TrimSpace(args))
}
