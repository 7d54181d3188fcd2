package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// Input is a checked input, or one declaration of a checked change, as the
// rewriting needs it. The checker (package change) builds it; the
// rewriting only reads it, except Change.Generics, which it fills.
type Input struct {
	// Src is the text as written: a prompt input, or the text of one
	// declaration of a saved file.
	Src string
	// Decls tells that Src is a list of declarations (the interpreter's
	// declaration mode) rather than statements.
	Decls bool
	// ImportRanges are the offsets in Src of its import declarations,
	// blanked in the output when Decls is set; Imports are their specs.
	ImportRanges [][2]int
	Imports      []string

	// Info is the type information of the check; Stmts are the input's
	// statements in that check's syntax (the body of Decl when the input
	// is a function declaration, whose parameters the rewriting may
	// rename).
	Info  *types.Info
	Stmts []ast.Stmt
	Decl  *ast.FuncDecl
	// Offset returns the offset in Src of a position of the checked
	// syntax, or -1 when the position is not in Src.
	Offset func(token.Pos) int
	// Results is the number of values of the input's last expression
	// statement (0: none).
	Results int

	// Locals are the frame's locals (and arguments) in scope; the output
	// reaches each one the input uses through the agent's lp_frame.
	Locals map[types.Object]bool
	// Pkg is the frame's package as the check knows it; Names gives, by
	// import path, the name of a package in the input's scope.
	Pkg   *types.Package
	Names map[string]string
	// File is the syntax of the file of the frame or of the change, as
	// built (nil when there is none); LoadedFile tells that it belongs to
	// a loaded package of the build.
	File       *ast.File
	LoadedFile bool

	// The program's lookups: Packages holds the build's packages by path,
	// User the paths of the instrumented ones (whose generated symbols
	// exist). Spec returns the import spec of a package under a name;
	// InstanceNames the symbols of the instantiations that the symbol table
	// of a user package holds.
	Packages      map[string]*types.Package
	User          map[string]bool
	Spec          func(path, name string) string
	InstanceNames func(path string) map[string]bool

	// Change describes the saved change the input is part of; nil for
	// prompt inputs.
	Change *Change
	// Generic, when set, makes the input, a generic function's
	// declaration, its patch (genericpatch.go) rather than an interpreted
	// copy of it.
	Generic *GenericPatch
	// Side returns the type of the field name that a live change added to
	// t, a compiled struct type or a pointer to one (sidefields.go); nil
	// when there are none.
	Side func(t types.Type, name string) (types.Type, bool)
}

// Change is what the rewriting of a saved file knows of the change.
type Change struct {
	Pkg        *types.Package // the package as the change declares it
	Compiled   *types.Package // the package as built
	NewMethods map[*types.Func]bool
	Inline     map[*types.Const]bool
	// Generics collects the compiled generic functions that the rewritten
	// code needs interpreted (generic.go).
	Generics map[*types.Func]bool
}

// CompiledType reports whether the build has a type called name.
func (ci *Change) CompiledType(name string) bool {
	_, ok := ci.Compiled.Scope().Lookup(name).(*types.TypeName)
	return ok
}

// Output is an input ready for the agent.
type Output struct {
	Src     string
	Vars    []wire.FrameVar // Arg indexes Locals
	Locals  []*types.Var    // the frame locals the input uses, by Arg
	Imports []string        // specs the input's scope needs
	Results int             // values of the last expression (0: none)
	Writes  []*types.Var    // frame locals the input may write
}

// Error is a construct the rewriting cannot express: Line and Col (from 1)
// place it in Input.Src, or are 0 when it has no position. Reason names
// the construct in a few words, the same for every refusal of it (one of
// the Reason constants here and in package lower), or is empty.
type Error struct {
	Line, Col int
	Reason    string
	Msg       string
}

// Reasons of the refusals of the rewriting; package lower has those of
// the lowering.
const (
	ReasonUnnamableType     = "a type the rewriter cannot name"
	ReasonMethodExpression  = "method expression of a compiled type"
	ReasonGeneric           = "generic code"
	ReasonBranchOutOfSelect = "a labeled break or continue out of a select"
	ReasonSideField         = "a field added to a compiled type"
	ReasonReorderedLiteral  = "an unkeyed literal of a type whose fields the change reorders, with a blank field"
	ReasonDeferredRecover   = "a declared function that calls recover, or a deferred call of one"
)

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}
