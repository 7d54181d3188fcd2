package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLivePatchNewTypeAsInterface saves an edit that declares new types
// implementing the program's interfaces (one embedding another, with a
// variadic method of two results; an unexported one whose unexported
// method names an unexported type) and io.Reader, and makes the patched
// line pass their values to compiled functions taking those interfaces.
// The compiled functions call the interpreted methods through the
// builder's interface wrappers, and the report shows their results. A
// further save passing a struct that embeds io.Reader, which the
// interpreter cannot pass as an interface, is refused at its position and
// the program keeps the previous patch.
func TestLivePatchNewTypeAsInterface(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "ifacewrap")
		main := filepath.Join(dir, "main.go")
		b, err := os.ReadFile(main)
		if err != nil {
			t.Fatal(err)
		}
		orig := string(b)
		thread := env.startLive(dir)
		if got, want := unquote(env.next(thread)), "square:4 square:36 t# 2"; got != want {
			t.Fatalf("report before the edit: got %q, want %q", got, want)
		}
		const old = `describe(square{2}), scaled(square{1}), tagOf(square{}), count(strings.NewReader("ab"))`
		if !strings.Contains(orig, old) {
			t.Fatalf("fixture has no %q", old)
		}
		edited := strings.Replace(orig, old, `describe(circle{3}), scaled(&circle{1}), tagOf(circle{}), count(&zeros{left: 5})`, 1) + `
// circle is a Scaler and a tagger that the edit declares.
type circle struct{ r int }

func (c circle) Area() int    { return 3 * c.r * c.r }
func (c circle) Name() string { return "circle" }

func (c *circle) Scale(ks ...int) (Shape, error) {
	if len(ks) == 0 {
		return nil, errors.New("no factor")
	}
	n := *c
	for _, k := range ks {
		n.r *= k
	}
	return n, nil
}

func (c circle) tag(l *label) string { return l.text + "@" }

// zeros reads as left zero bytes.
type zeros struct{ left int }

func (z *zeros) Read(p []byte) (int, error) {
	if z.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), z.left)
	clear(p[:n])
	z.left -= n
	return n, nil
}
`
		if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("patched main.line")
		if got, want := unquote(env.next(thread)), "circle:27 circle:108 t@ 5"; got != want {
			t.Errorf("report after the edit: got %q, want %q", got, want)
		}
		// The compiled code goes on calling them, call after call.
		if got, want := unquote(env.next(thread)), "circle:27 circle:108 t@ 5"; got != want {
			t.Errorf("second report after the edit: got %q, want %q", got, want)
		}

		// A value of a struct type embedding a compiled interface cannot be
		// passed as an interface: the save is refused, naming the place.
		hidden := strings.Replace(edited, `count(&zeros{left: 5})`, `count(struct{ io.Reader }{&zeros{left: 4}})`, 1)
		if err := os.WriteFile(main, []byte(hidden), 0o644); err != nil {
			t.Fatal(err)
		}
		at := strings.Index(hidden, "struct{ io.Reader }")
		lineStart := strings.LastIndex(hidden[:at], "\n") + 1
		pos := "main.go:" + strconv.Itoa(strings.Count(hidden[:at], "\n")+1) + ":" + strconv.Itoa(at-lineStart+1+len("struct{ ")) + ": "
		got := env.waitConsole("a struct type embedding a compiled interface")
		if !strings.HasPrefix(got, pos) || !strings.Contains(got, "the interface is io.Reader") || !strings.Contains(got, "nothing of this save was applied") {
			t.Errorf("refusal %q: want it at %s, naming io.Reader, nothing applied", got, pos)
		}
		if got, want := unquote(env.next(thread)), "circle:27 circle:108 t@ 5"; got != want {
			t.Errorf("report after the refused edit: got %q, want %q", got, want)
		}
		env.Disconnect()
	})
}

// unquote strips the quotes of an evaluated string.
func unquote(s string) string { return strings.Trim(strings.TrimSpace(s), `"`) }
