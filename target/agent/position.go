package agent

import (
	"fmt"
	"go/token"
	"regexp"
	"strconv"
)

// positionRE matches a message that starts with an optional file name and a
// line:col position, as yaegi and go/parser write them.
var positionRE = regexp.MustCompile(`^(?:[^\s:]*:)?(\d+):(\d+): ((?s).*)$`)

// mapPosition rewrites the position at the start of a compiler message for
// generated source into the user's terms: lineOffset is subtracted from the
// generated line, and file and baseLine (the line of the snippet's first
// line in file) give the user's position when known.
func mapPosition(msg string, lineOffset int, file string, baseLine int) string {
	m := positionRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	line -= lineOffset
	if line < 1 {
		line = 1
	}
	if file != "" && baseLine > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", file, baseLine+line-1, col, m[3])
	}
	if file != "" {
		return fmt.Sprintf("%s:%d:%d: %s", file, line, col, m[3])
	}
	return fmt.Sprintf("%d:%d: %s", line, col, m[3])
}

// emptyFset returns a file set for parsing one throwaway snippet.
func emptyFset() *token.FileSet { return token.NewFileSet() }
