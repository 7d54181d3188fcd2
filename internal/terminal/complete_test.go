package terminal

import (
	"strings"
	"testing"

	"github.com/google/go-dap"
)

func TestCompleteCommandNames(t *testing.T) {
	s := &session{}
	for _, tc := range []struct {
		line string
		pos  int
		head string
		want []string
		tail string
	}{
		{"bre", 3, "", []string{"break ", "breakpoints "}, ""},
		{"  gor", 5, "  ", []string{"goroutine ", "goroutines "}, ""},
		{"clearal", 7, "", []string{"clearall "}, ""},
		{"zzz", 3, "", nil, ""},
		// Arguments are completed by the server only.
		{"print x", 7, "print x", nil, ""},
	} {
		head, got, tail := s.complete(tc.line, tc.pos)
		if head != tc.head || strings.Join(got, "|") != strings.Join(tc.want, "|") || tail != tc.tail {
			t.Errorf("complete(%q, %d) = %q, %q, %q; want %q, %q, %q", tc.line, tc.pos, head, got, tail, tc.head, tc.want, tc.tail)
		}
	}
}

func TestSplice(t *testing.T) {
	for _, tc := range []struct {
		line        string
		offset, pos int
		targets     []dap.CompletionItem
		head, tail  string
		completions string
	}{
		// The word before the cursor is replaced, not what precedes a dot.
		{"c.I", 0, 3, []dap.CompletionItem{{Label: "Inc"}}, "c.", "", "Inc"},
		{"print c.I + 1", 6, 9, []dap.CompletionItem{{Label: "Inc"}, {Label: "Id", Text: "Id()"}}, "print c.", " + 1", "Inc|Id()"},
		// A 1-based start and a length replace that range.
		{"fmt.Pr", 0, 6, []dap.CompletionItem{{Label: "fmt.Println", Start: 1, Length: 6}}, "", "", "fmt.Println"},
		{"x", 0, 1, nil, "", "", ""},
	} {
		head, got, tail := splice(tc.line, tc.offset, tc.pos, tc.targets)
		if head != tc.head || tail != tc.tail || strings.Join(got, "|") != tc.completions {
			t.Errorf("splice(%q, %d, %d) = %q, %q, %q; want %q, %q, %q", tc.line, tc.offset, tc.pos, head, got, tail, tc.head, tc.completions, tc.tail)
		}
	}
}
