package livepatch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tracebackCases are tracebacks recorded from examples/counter under
// `livepatch run`, with step saved to assign to a nil map once ticks pass
// a bound: the patch interpreted, and native.
var tracebackCases = []struct {
	name string
	live map[string]*Patch
}{
	{"interpreted", map[string]*Patch{"main.(*Counter).step": {Name: "main.(*Counter).step", Key: "main.(*Counter).step"}}},
	{"native", map[string]*Patch{"main.(*Counter).step": {Name: "main.(*Counter).step", Key: "main.(*Counter).step",
		Tier: TierNative, nativeFunc: "example.com/counter/lp_native_23441_1.LpNative0"}}},
}

// TestTracebackFilter checks that the filter rewrites a recorded
// traceback to the user's frames, however the text is cut into pieces.
func TestTracebackFilter(t *testing.T) {
	for _, c := range tracebackCases {
		in := readTracebackData(t, c.name+".txt")
		want := readTracebackData(t, c.name+".want")
		for _, size := range []int{1, 7, 64, len(in)} {
			st := &session{live: c.live}
			f := &tracebackFilter{rewrite: func(lines []string, sites []panicSite) ([]string, bool) {
				return rewriteFrames(lines, sites, st.foldPatches, savedCounter)
			}}
			var got []byte
			for i := 0; i < len(in); i += size {
				got = append(got, f.filter([]byte(in[i:min(i+size, len(in))]), false)...)
			}
			got = append(got, f.filter(nil, true)...)
			if string(got) != want {
				t.Errorf("%s in pieces of %d:\n%s\nwant:\n%s", c.name, size, got, want)
			}
		}
	}
}

// TestTracebackFilterPassesOtherOutput checks that output that is no
// traceback goes on at once and byte for byte, a line not yet ended
// included, and that a traceback with no machinery in it is kept whole.
func TestTracebackFilterPassesOtherOutput(t *testing.T) {
	f := &tracebackFilter{rewrite: func(lines []string, sites []panicSite) ([]string, bool) {
		return rewriteFrames(lines, sites, nil, nil)
	}}
	for _, c := range []struct{ in, want string }{
		{"tick 1\n", "tick 1\n"},
		{"partial ", "partial "},
		{"line\n", "line\n"},
		{"go", ""}, // may begin a goroutine's header
		{"ing on\n", "going on\n"},
		{"no newline", "no newline"},
		{"\n", "\n"},
	} {
		if got := string(f.filter([]byte(c.in), false)); got != c.want {
			t.Errorf("filter(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	compiled := "panic: boom\n\ngoroutine 1 [running]:\nmain.(*C).step(...)\n\t/tmp/pt/main.go:9\nmain.main()\n\t/tmp/pt/main.go:16 +0x52\n"
	var got []byte
	for i := range len(compiled) {
		got = append(got, f.filter([]byte(compiled[i:i+1]), false)...)
	}
	got = append(got, f.filter(nil, true)...)
	if want := compiled; string(got) != want {
		t.Errorf("compiled traceback:\n%q\nwant\n%q", got, want)
	}
}

// savedCounter maps the traceback's frames as the session would after a
// save of counter.go that added a line above Tick: the compiled lines from
// 40 on are one lower, a native patch's plugin has the lines as saved.
func savedCounter(fn, file string, n int) (string, int) {
	if filepath.Base(file) == "counter.go" && n >= 40 && !strings.Contains(fn, "lp_native_") {
		return "", n + 1
	}
	return "", n
}

func readTracebackData(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "traceback", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// TestUserPanics checks the panic reports that the machinery leaves,
// recorded from patched code that raised a run-time error and one that
// called panic, and one of the program's own recover and panic, which is
// kept.
func TestUserPanics(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"panic: assignment to entry in nil map [recovered, repanicked]\n\n", "panic: assignment to entry in nil map\n\n"},
		{"panic: boom x [recovered, repanicked]\n\tpanic: boom x\n\n", "panic: boom x\n\n"},
		{"panic: first [recovered]\n\tpanic: second\n\n", "panic: first [recovered]\n\tpanic: second\n\n"},
	} {
		lines := strings.SplitAfter(c.in, "\n")
		if got := strings.Join(userPanics(lines), ""); got != c.want {
			t.Errorf("userPanics(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestTracebackInterpretedLine checks that the agent's line of a panic
// that the program recovered does not mark a frame of a later traceback
// as interpreted (TestTracebackFilter checks the mark).
func TestTracebackInterpretedLine(t *testing.T) {
	c := tracebackCases[0]
	site, rest, _ := strings.Cut(readTracebackData(t, c.name+".txt"), "\n")
	want := strings.Replace(readTracebackData(t, c.name+".want"), "+0xec [interpreted: the line is the declaration's]", "+0xec", 1)
	st := &session{live: c.live}
	f := &tracebackFilter{rewrite: func(lines []string, sites []panicSite) ([]string, bool) {
		return rewriteFrames(lines, sites, st.foldPatches, savedCounter)
	}}
	in := site + "\ntick 7\n" + rest
	got := string(f.filter([]byte(in), false)) + string(f.filter(nil, true))
	if want = site + "\ntick 7\n" + strings.SplitN(want, "\n", 2)[1]; got != want {
		t.Errorf("after a recovered panic:\n%s\nwant:\n%s", got, want)
	}
}
