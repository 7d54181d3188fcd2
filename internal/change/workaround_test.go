package change

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/testenv"
)

// workaroundSrc is a package with the constructs workaround.go rewrites.
const workaroundSrc = `package wa

import (
	"encoding/json"
	"io"
)

type Index struct{ starts []int }

func (x *Index) Start(i int) int { return x.starts[i] }

type Doc struct {
	index *Index
	words []string
	ch    chan int
}

type Extent struct{ From, To int }

var def = &Index{}

func Send(d *Doc, v int) { d.ch <- v }

func Ext(d *Doc) Extent { return Extent{d.index.Start(0), def.Start(1)} }

func Words(d *Doc) [][]string { return [][]string{d.words[:1], nil, d.words[1:]} }

func Plain(d *Doc) []Extent { return []Extent{{1, 2}} }

func Recv(d *Doc, p *int) (n int) {
	*p = <-d.ch
	n = <-d.ch
	v, ok := <-d.ch
	_, _ = v, ok
	select {
	case n = <-d.ch:
	default:
	}
	return
}

func Next(d *Doc) int { return <-d.ch }

func As(r io.Reader) (io.Writer, bool) {
	w, ok := r.(io.Writer)
	return w, ok
}

func Addr(b *[4]byte) *byte { return &b[1] }

func Env(data []byte) (int, error) {
	var m struct {
		Index
		N int
	}
	err := json.Unmarshal(data, &m)
	return m.N, err
}

func Kind(x any) string {
	switch v := x.(type) {
	case nil:
		return "nil"
	case error,
		io.Reader:
		_ = v
		return "iface"
	case io.Writer:
		return "writer"
	}
	return "other"
}

func Catch(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return
}
`

// loadProgram loads src as the one file of module example.com/wa in a
// temporary directory, as the builder loads the user's packages, and
// returns its program and the file's path.
func loadProgram(t *testing.T, src string) (*Program, string) {
	t.Helper()
	fset, pkg, dir := testenv.LoadModule(t, map[string]string{"go.mod": "module example.com/wa\n\ngo 1.26\n", "wa.go": src})
	prog, err := newProgram(context.Background(), &patcher.Result{Fset: fset, Packages: []*packages.Package{pkg}})
	if err != nil {
		t.Fatal(err)
	}
	return prog, filepath.Join(dir, "wa.go")
}

// TestRewriteWorkarounds checks the forms that replacements take where
// yaegi would crash on the original (each rewriting's doc comment says
// how), and that what it compiles as it is stays as it is.
func TestRewriteWorkarounds(t *testing.T) {
	prog, file := loadProgram(t, workaroundSrc)
	tests := map[string]struct{ want, not []string }{
		"Send":  {want: []string{"(chan<- int)((*lpField_Doc_ch(d))) <- v"}},
		"Catch": {want: []string{"defer func() { r = lp_go.Recovered(recover()) }()"}},
		"Ext":   {want: []string{"Extent{From: (*lpField_Doc_index(d)).Start(0), To: (*lpAddr_def).Start(1)}"}},
		"Words": {want: []string{"[][]string{0: (*lpField_Doc_words(d))[:1], nil, 2: (*lpField_Doc_words(d))[1:]}"},
			not: []string{"1: nil"}},
		"Plain": {want: []string{"[]Extent{{1, 2}}"}},
		"Recv":  {want: []string{"*p = (<-(*lpField_Doc_ch(d)))", "n = (<-(*lpField_Doc_ch(d)))", "v, ok := <-(*lpField_Doc_ch(d))", "{ lpSel0_ := (*lpField_Doc_ch(d)); select {", "case n = <-lpSel0_:"}},
		"Next":  {want: []string{"return (<-(*lpField_Doc_ch(d)))"}},
		"As":    {want: []string{"w, ok := func() (io.Writer, bool) { lpX := r; if lpX == nil { return nil, false }; lpV, lpOK := lpX.(io.Writer); return lpV, lpOK }()"}},
		"Addr":  {want: []string{"return &(*b)[1]"}},
		"Kind": {want: []string{"{ lpTS := x; switch {\n",
			"\tcase lpTS == nil: v := lpTS; _ = v;\n",
			"\tcase (lpTS != nil && func() bool { _, lpOK := lpTS.(error); return lpOK }()) || (lpTS != nil && func() bool { _, lpOK := lpTS.(io.Reader); return lpOK }()): v := lpTS; _ = v;\n\n\t\t_ = v",
			"\tcase (lpTS != nil && func() bool { _, lpOK := lpTS.(io.Writer); return lpOK }()): v := lpTS.(io.Writer); _ = v;\n",
			"\t}}\n\treturn \"other\""}},
	}
	keys := make([]string, 0, len(tests))
	for k := range tests {
		keys = append(keys, "example.com/wa."+k)
	}
	ch, err := prog.rewriteChange(file, []byte(workaroundSrc), keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, tt := range tests {
		rep := ch.Funcs["example.com/wa."+name]
		if rep == nil {
			t.Errorf("%s: no replacement", name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(rep.Source, w) {
				t.Errorf("%s: rewritten source lacks %q:\n%s", name, w, rep.Source)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(rep.Source, n) {
				t.Errorf("%s: rewritten source has %q:\n%s", name, n, rep.Source)
			}
		}
	}
}

// TestRewriteRefusesEmbeddingAmongFields checks that a replacement
// declaring a struct type that embeds a field among others is refused,
// at the embedded field, with the reason.
func TestRewriteRefusesEmbeddingAmongFields(t *testing.T) {
	prog, file := loadProgram(t, workaroundSrc)
	_, err := prog.rewriteChange(file, []byte(workaroundSrc), []string{"example.com/wa.Env"}, nil)
	var ie diag.Diagnostics
	if !errors.As(err, &ie) || len(ie) == 0 || !strings.Contains(ie[0].String(), "a struct type with an embedded field among others") || !strings.HasPrefix(ie[0].String(), "wa.go:53:3:") {
		t.Errorf("Env: got %v, want an input error at wa.go:53:3: naming the embedded field", err)
	}
}
