package lang

import "testing"

func TestJoinTokens(t *testing.T) {
	if got := JoinTokens([]string{"a", "b"}, "+"); got != "a+b" {
		t.Errorf("JoinTokens: got %q, want %q", got, "a+b")
	}
}

func TestSplitToken(t *testing.T) {
	if got := SplitToken("a,b,c"); got != 3 {
		t.Errorf("SplitToken: got %d, want 3", got)
	}
}
