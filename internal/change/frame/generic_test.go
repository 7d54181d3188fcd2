package frame

import (
	"context"
	"go/types"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/testenv"
)

// boxSrc is a package with a generic type whose instantiation a function
// takes.
const boxSrc = `package gen

type Box[T any] struct {
	v T
	N int
}

func (b *Box[T]) get() T { return b.v }

func Unbox(b *Box[int]) int { return b.get() + b.v + b.N }
`

// loadProgram loads files (by name, go.mod among them) as the builder
// loads the user's packages, and returns the build's type information and
// the directory.
func loadProgram(t *testing.T, files map[string]string) (*change.Program, string) {
	t.Helper()
	fset, pkg, dir := testenv.LoadModule(t, files)
	k := change.NewChecker(nil)
	k.UseBuild(&patcher.Result{Fset: fset, Packages: []*packages.Package{pkg}})
	prog := k.Program(context.Background())
	if prog == nil {
		t.Fatal("no type information")
	}
	return prog, dir
}

// TestPromptFrameLocalOfInstance checks that a prompt input using a frame
// local whose type is an instantiation binds it under the instantiation's
// symbol, and reaches its unexported members through their accessors.
func TestPromptFrameLocalOfInstance(t *testing.T) {
	prog, dir := loadProgram(t, map[string]string{"go.mod": "module example.com/gen\n\ngo 1.26\n", "gen.go": boxSrc})
	line := 1 + strings.Count(boxSrc[:strings.Index(boxSrc, "func Unbox")], "\n")
	sc, err := At(prog, filepath.Join(dir, "gen.go"), line)
	if err != nil {
		t.Fatal(err)
	}
	in, err := parseInput("b.v + b.get()")
	if err != nil {
		t.Fatal(err)
	}
	c, err := sc.check(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	rin := c.rewriteInput()
	rw, err := prog.Rewrite(rin, false)
	if err != nil {
		t.Fatal(err)
	}
	self := prog.Package("example.com/gen")
	box, ok := patcher.InstanceName(self, self.Scope().Lookup("Box"), []types.Type{types.Typ[types.Int]})
	if !ok || !rin.InstanceNames(self.Path())[box] {
		t.Fatalf("Box[int]: no instance symbol in the table (%q)", box)
	}
	if len(rw.Vars) != 1 || rw.Vars[0].Name != "b" || rw.Vars[0].Type != "*"+box {
		t.Errorf("frame variables: got %+v, want b of type *%s", rw.Vars, box)
	}
	if want := "lpMethod_" + box + "_get((*lp_frame.b))()"; !strings.Contains(rw.Src, want) || !strings.Contains(rw.Src, "lpField_"+box+"_v") {
		t.Errorf("rewritten input %q lacks %s and the field accessor", rw.Src, want)
	}
}
