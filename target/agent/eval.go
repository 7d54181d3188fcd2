package agent

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/livepatch/livepatch/target/agent/bintypes"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// DefaultEvalTimeout limits an evaluation whose caller gives no limit.
var DefaultEvalTimeout = 5 * time.Second

// EvalResult is the outcome of evaluating a snippet.
type EvalResult struct {
	// Value is the last expression's value formatted as Go, or "" when the
	// snippet does not end with an expression that has a value.
	Value string `json:"value,omitempty"`
	// Type is the Go type of Value.
	Type string `json:"type,omitempty"`
}

// Eval evaluates Go statements, expressions or declarations in the
// interpreter's persistent top-level scope. When pkg is not empty, the
// registered symbols of that package (exported or not) are visible
// unqualified; later packages shadow earlier ones on name clashes.
// Evaluation stops when ctx ends (a context without deadline gets
// DefaultEvalTimeout). A panic in the snippet is returned as an error that
// carries the original panic value. Eval is safe for concurrent use;
// operations are serialized.
func Eval(ctx context.Context, src, pkg string) (EvalResult, error) {
	machine.mu.Lock()
	defer machine.mu.Unlock()
	defer holdMachine()()
	return evalLocked(ctx, evalArgs{src: src, pkg: pkg})
}

// evalArgs are the arguments of one evaluation.
type evalArgs struct {
	src     string
	pkg     string          // package whose scope is visible unqualified
	imports []string        // import specs made visible first
	frame   []wire.FrameVar // frame locals bound in package lp_frame
	addrs   []uintptr       // their addresses, by wire.FrameVar.Arg
	results int             // src ends with a []interface{} of a multi-value call's results
}

func evalLocked(ctx context.Context, a evalArgs) (res EvalResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = EvalResult{}, wire.Errorf(wire.ErrInterpreter, "eval: interpreter failed: %v", unwrapPanic(r))
		}
	}()
	i, err := interpreter()
	if err != nil {
		return EvalResult{}, fmt.Errorf("eval: %w", err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultEvalTimeout)
		defer cancel()
	}
	pkg, src := a.pkg, a.src
	if pkg != "" && !machine.dotted[pkg] {
		if registeredName(pkg) == "" {
			return EvalResult{}, wire.Errorf(wire.ErrNotFound, "eval: package %s has no symbols in this program", pkg)
		}
		if _, err := i.Eval("import . " + strconv.Quote(pkg)); err != nil {
			return EvalResult{}, fmt.Errorf("eval: scope of %s: %w", pkg, err)
		}
		machine.dotted[pkg] = true
	}
	if err := importIntoScope(i, a.imports); err != nil {
		return EvalResult{}, fmt.Errorf("eval: %w", err)
	}
	frame, err := bindFrame(i, pkg, a.frame, a.addrs)
	if err != nil {
		return EvalResult{}, fmt.Errorf("eval: %w", err)
	}
	if strings.TrimSpace(src) == "" { // only imports
		return EvalResult{}, nil
	}
	if err := importForEval(src); err != nil {
		return EvalResult{}, fmt.Errorf("eval: %w", err)
	}
	// Pointers to compiled types and method expressions are rewritten so
	// that yaegi handles method values of them (see package bintypes).
	src, edits, err := rewriteCompiled(i, src, evalScope(pkg))
	if e, ok := err.(*wire.Error); ok {
		return EvalResult{}, e // a refusal of package bintypes, at its position
	} else if err != nil {
		return EvalResult{}, fmt.Errorf("eval: %w", err)
	}
	if len(edits) > 0 && !machine.binImported {
		if _, err := i.Eval("import " + bintypes.Spec); err != nil {
			return EvalResult{}, fmt.Errorf("eval: %w", err)
		}
		machine.binImported = true
	}
	machine.stderr.capture()
	v, err := evalContext(ctx, i, src)
	stack := machine.stderr.release()
	if err != nil {
		var re *RunningError
		if errors.As(err, &re) {
			frame.cut()
			return EvalResult{}, err
		}
		return EvalResult{}, evalError(err, stack, a.src, edits, replPrefix(src))
	}
	if !endsWithExpression(src) || !v.IsValid() {
		return EvalResult{}, nil
	}
	if a.results > 1 {
		return formatResults(v), nil
	}
	return EvalResult{Value: formatValue(v), Type: typeString(v)}, nil
}

// evalError returns the error of an evaluation that ended with err from
// the interpreter: a *PanicError with the interpreted stack, the end of
// its time, or the *wire.Error of source the interpreter refused, positioned
// in src, the source as given (edits made it the source run, whose first
// line started after prefix bytes of wrapping).
func evalError(err error, stack, src string, edits []bintypes.Edit, prefix int) error {
	if pe := panicError(err, stack); pe != err {
		return pe
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("eval: stopped after time limit: %w", err)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("eval: stopped: %w", err)
	}
	e := interpreterError(wire.ErrCompile, err.Error())
	mapColumn(e, src, edits, 0, 1, prefix)
	e.Place(0, "", 0)
	return e
}

// formatResults formats the results of a multi-value call, given as a
// []interface{}, as a comma-separated list.
func formatResults(v reflect.Value) EvalResult {
	if v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if v.Kind() != reflect.Slice {
		return EvalResult{Value: formatValue(v), Type: typeString(v)}
	}
	var vals, types []string
	for k := 0; k < v.Len(); k++ {
		e := v.Index(k)
		if e.Kind() == reflect.Interface && e.IsNil() {
			vals, types = append(vals, "nil"), append(types, "nil")
			continue
		}
		vals, types = append(vals, formatValue(e)), append(types, typeString(e))
	}
	return EvalResult{Value: strings.Join(vals, ", "), Type: "(" + strings.Join(types, ", ") + ")"}
}

// PanicError is returned by Eval when the snippet panicked.
type PanicError struct {
	Value any
	// Stack lists the interpreted frames the panic went through, one per
	// line, innermost first, as yaegi reports them.
	Stack string
}

// Error formats the panic like the runtime does.
func (e *PanicError) Error() string {
	if err, ok := e.Value.(error); ok {
		return "panic: " + err.Error()
	}
	return fmt.Sprintf("panic: %v", e.Value)
}

// panicError returns err as a *PanicError, with the interpreted stack,
// when it is a panic of interpreted code; otherwise err. A nil dereference
// that yaegi makes through reflect (a method of reflect.Value called on
// the zero Value that a nil pointer's Elem gives) becomes the run-time
// error Go raises for it.
func panicError(err error, stack string) error {
	var p yaegi.Panic
	if !errors.As(err, &p) {
		return err
	}
	v := unwrapPanic(p.Value)
	if ve, ok := v.(*reflect.ValueError); ok && ve.Kind == reflect.Invalid {
		v = nilDereference
	}
	if msg, ok := v.(string); ok && strings.HasPrefix(msg, "reflect: ") && strings.HasSuffix(msg, " index out of range") {
		v = indexOutOfRange{} // an index yaegi takes through reflect.Value.Index
	}
	return &PanicError{Value: v, Stack: stack}
}

// indexOutOfRange is the run-time error of an index out of range, as
// yaegi's reflect panic reports it: without the index and the length,
// which reflect does not give.
type indexOutOfRange struct{}

func (indexOutOfRange) Error() string { return "runtime error: index out of range" }

// RuntimeError marks it as a run-time error (runtime.Error).
func (indexOutOfRange) RuntimeError() {}

// nilDereference is the run-time error of a nil pointer dereference.
var nilDereference = func() (err error) {
	defer func() { err, _ = recover().(error) }()
	var p *int
	_ = *p
	return nil
}()

// importForEval imports into the top-level scope, once, every registered
// package that src names by a qualified identifier that nothing else
// declares. The caller holds machine.mu.
func importForEval(src string) error {
	f, err := parser.ParseFile(emptyFset(), "", "package p; func _() {\n"+src+"\n}", 0)
	if err != nil {
		return nil // let yaegi report syntax errors
	}
	for _, name := range unresolvedSelectors(f) {
		if machine.replImports[name] {
			continue
		}
		shadowed := false
		for pkg := range machine.dotted {
			if hasSymbol(pkg, name) {
				shadowed = true
			}
		}
		paths := packagesNamed(name)
		if shadowed || len(paths) != 1 {
			continue
		}
		if _, err := machine.interp.Eval("import " + strconv.Quote(paths[0])); err != nil {
			return fmt.Errorf("import %s: %w", paths[0], err)
		}
		machine.replImports[name] = true
	}
	return nil
}

// evalScope returns the compiled types an evaluation can name: those of
// pkg and of every package dot-imported into the top-level scope
// unqualified (pkg first), and those of the packages imported by name.
// The caller holds machine.mu.
func evalScope(pkg string) bintypes.Scope {
	sc := bintypes.Scope{Imports: map[string]string{}}
	if pkg != "" {
		sc.Pkgs = append(sc.Pkgs, pkg)
	}
	var others []string
	for p := range machine.dotted {
		if p != pkg {
			others = append(others, p)
		}
	}
	sort.Strings(others)
	sc.Pkgs = append(sc.Pkgs, others...)
	for name := range machine.replImports {
		if path, ok := machine.importPaths[name]; ok {
			sc.Imports[name] = path
		} else if paths := packagesNamed(name); len(paths) == 1 {
			sc.Imports[name] = paths[0]
		}
	}
	return sc
}

// endsWithExpression reports whether src's last statement is an expression,
// so that yaegi's result is that expression's value.
func endsWithExpression(src string) bool {
	f, err := parser.ParseFile(emptyFset(), "", "package p; func _() {\n"+src+"\n}", 0)
	if err != nil || len(f.Decls) != 1 {
		return false
	}
	fd, ok := f.Decls[0].(*ast.FuncDecl)
	if !ok || len(fd.Body.List) == 0 {
		return false
	}
	_, ok = fd.Body.List[len(fd.Body.List)-1].(*ast.ExprStmt)
	return ok
}

// typeString returns the type of v as Go writes it.
func typeString(v reflect.Value) string {
	if v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	return v.Type().String()
}

// formatValue formats v as a Go value. Pointers to structs print as &T{...}.
func formatValue(v reflect.Value) string {
	if !v.CanInterface() {
		return v.String()
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return "nil"
		}
		if v.Elem().Kind() == reflect.Struct && v.Elem().CanInterface() {
			return "&" + fmt.Sprintf("%#v", v.Elem().Interface())
		}
	case reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		if v.IsNil() {
			return "nil"
		}
	}
	return fmt.Sprintf("%#v", v.Interface())
}
