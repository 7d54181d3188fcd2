package agent

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Ref names a patchable function: by Key when it is not empty, else by Index.
type Ref struct {
	Key   string `json:"key,omitempty"`
	Index int    `json:"index,omitempty"`
}

// String returns the key, or "#index" when the key is empty.
func (r Ref) String() string {
	if r.Key != "" {
		return r.Key
	}
	return "#" + strconv.Itoa(r.Index)
}

// Patch is one replacement function.
type Patch struct {
	Ref
	// Source is a function declaration, a method declaration or a function
	// literal, in the scope of the function's package.
	Source string `json:"source"`
	// Imports are import specs the source needs beyond those found
	// automatically, e.g. `"strings"` or `str "strings"`.
	Imports []string `json:"imports,omitempty"`
	// File and Line, when set, give the position of Source's first line, so
	// that compile errors are reported as file:line:col.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Helpers are declarations of functions that the program does not
	// have (new ones) which Source may call; they are compiled into the
	// replacement's own scope, in the scope of the function's package.
	Helpers []string `json:"helpers,omitempty"`
}

// Failure is why one patch of a set did not compile.
type Failure struct {
	Ref
	Message string `json:"message"`
}

// ApplyError reports every patch of a set that failed; when it is returned,
// nothing of the set was applied.
type ApplyError struct {
	Failures []Failure
}

// Error lists the failures, one per line.
func (e *ApplyError) Error() string {
	var b strings.Builder
	for i, f := range e.Failures {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s: %s", f.Ref, f.Message)
	}
	return b.String()
}

// PatchedFunc describes one function that is patched now.
type PatchedFunc struct {
	Ref
	Source string `json:"source"`
}

// patchInfo is what the agent remembers of a live patch.
type patchInfo struct {
	key    string
	source string
}

// Apply compiles every patch of the set and, only when all of them compile,
// publishes one new table holding them together with the patches already
// live. On any failure it returns an *ApplyError and applies nothing.
// Apply is safe for concurrent use; operations are serialized.
func Apply(patches []Patch) error {
	machine.mu.Lock()
	defer machine.mu.Unlock()
	return applyLocked(patches)
}

func applyLocked(patches []Patch) error {
	if _, err := interpreter(); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	type ready struct {
		e    *funcEntry
		fn   any
		info patchInfo
	}
	var (
		failures []Failure
		done     []ready
		seen     = map[int]bool{}
	)
	for _, p := range patches {
		e, err := lookupFunc(p.Ref)
		if err != nil {
			failures = append(failures, Failure{Ref: p.Ref, Message: err.Error()})
			continue
		}
		ref := Ref{Key: e.key, Index: e.index}
		if seen[e.index] {
			failures = append(failures, Failure{Ref: ref, Message: "patched twice in one set"})
			continue
		}
		seen[e.index] = true
		fn, err := compilePatch(e, p)
		if err != nil {
			failures = append(failures, Failure{Ref: ref, Message: err.Error()})
			continue
		}
		done = append(done, ready{e: e, fn: fn, info: patchInfo{key: e.key, source: p.Source}})
	}
	if len(failures) > 0 {
		return &ApplyError{Failures: failures}
	}
	if len(done) == 0 {
		return nil
	}
	t := copyTable()
	for _, r := range done {
		t.Fns[r.e.index] = r.fn
		machine.patched[r.e.index] = r.info
	}
	Publish(t)
	return nil
}

// Revert publishes a table without the patches of the named functions.
// Naming a function that is not patched is not an error; naming one that
// does not exist is, and then nothing is reverted.
func Revert(refs []Ref) error {
	machine.mu.Lock()
	defer machine.mu.Unlock()
	return revertLocked(refs)
}

func revertLocked(refs []Ref) error {
	var idx []int
	var failures []Failure
	for _, r := range refs {
		e, err := lookupFunc(r)
		if err != nil {
			failures = append(failures, Failure{Ref: r, Message: err.Error()})
			continue
		}
		idx = append(idx, e.index)
	}
	if len(failures) > 0 {
		return &ApplyError{Failures: failures}
	}
	if machine.patched == nil {
		return nil // nothing was ever patched
	}
	t := copyTable()
	for _, i := range idx {
		t.Fns[i] = nil
		delete(machine.patched, i)
	}
	if len(machine.patched) == 0 {
		Publish(nil)
		return nil
	}
	Publish(t)
	return nil
}

// RevertAll removes every patch.
func RevertAll() {
	machine.mu.Lock()
	defer machine.mu.Unlock()
	revertAllLocked()
}

func revertAllLocked() {
	Publish(nil)
	if machine.patched != nil {
		clear(machine.patched)
	}
}

// Patched lists the functions patched now, by index.
func Patched() []PatchedFunc {
	machine.mu.Lock()
	defer machine.mu.Unlock()
	return patchedLocked()
}

func patchedLocked() []PatchedFunc {
	out := make([]PatchedFunc, 0, len(machine.patched))
	for i, p := range machine.patched {
		out = append(out, PatchedFunc{Ref: Ref{Key: p.key, Index: i}, Source: p.source})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Index < out[b].Index })
	return out
}

// copyTable returns a copy of the current table sized for every registered
// function.
func copyTable() *Table {
	n := tableSize()
	t := &Table{Fns: make([]any, n)}
	if cur := Load(); cur != nil {
		copy(t.Fns, cur.Fns)
	}
	return t
}

// compilePatch compiles p for the function e and returns the value to put in
// the table. A panic inside yaegi's compiler becomes an error. The caller
// holds machine.mu.
func compilePatch(e *funcEntry, p Patch) (fnValue any, err error) {
	defer func() {
		if r := recover(); r != nil {
			fnValue, err = nil, fmt.Errorf("interpreter failed: %v", unwrapPanic(r))
		}
	}()
	fs, err := parseFuncSource(p.Source)
	if err != nil {
		return nil, err
	}
	pkgPath, _ := packageOf(e.key)
	specs, bound, err := importSpecs(pkgPath, p.Imports, fs.selectors)
	if err != nil {
		return nil, err
	}
	i := machine.interp
	// Pointers to compiled types and method expressions are rewritten so
	// that yaegi handles method values of them (see bintypes.go).
	sc := binScope{imports: bound}
	if pkgPath != "" {
		sc.pkgs = []string{pkgPath}
	}
	src, edits, err := rewriteCompiled(i, p.Source, sc)
	if err != nil {
		return nil, err
	}
	if len(edits) > 0 {
		if fs, err = parseFuncSource(src); err != nil {
			return nil, fmt.Errorf("rewritten source: %w", err)
		}
	}
	helpers := make([]string, len(p.Helpers))
	usesBin := len(edits) > 0
	for k, h := range p.Helpers {
		var hEdits []srcEdit
		if helpers[k], hEdits, err = rewriteCompiled(i, h, sc); err != nil {
			return nil, err
		}
		usesBin = usesBin || len(hEdits) > 0
	}
	if usesBin {
		specs = append(specs, binPackage+" "+strconv.Quote(binPackage))
	}
	name := scratchPackage()
	var b strings.Builder
	fmt.Fprintf(&b, "package %s;", name)
	if len(specs) > 0 {
		fmt.Fprintf(&b, " import (%s);", strings.Join(specs, "; "))
	}
	b.WriteString(strings.Repeat("\n", fs.bodyLine))
	fmt.Fprintf(&b, "func LpFn(%s) %s %s\n", fs.params, fs.results, fs.body)
	for _, h := range helpers {
		b.WriteString(h + "\n")
	}

	if _, err := i.Eval(b.String()); err != nil {
		msg := mapColumn(err.Error(), p.Source, edits, 1, fs.bodyLine+1, 0)
		return nil, errors.New(mapPosition(msg, 1, p.File, p.Line))
	}
	fn, err := i.Eval(name + ".LpFn")
	if err != nil {
		return nil, fmt.Errorf("load compiled function: %w", err)
	}
	if !fn.IsValid() || fn.Kind() != reflect.Func {
		return nil, fmt.Errorf("compiled value is not a function")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("replacement of type %s does not fit: %v", fn.Type(), r)
		}
	}()
	v := e.wrap(fn)
	if v == nil || reflect.TypeOf(v).Kind() != reflect.Func {
		return nil, fmt.Errorf("wrapper returned %T, not a function", v)
	}
	if !fits(fn.Type(), reflect.TypeOf(v)) {
		return nil, fmt.Errorf("replacement of type %s does not fit: the compiled function has type %s", fn.Type(), reflect.TypeOf(v))
	}
	return v, nil
}

// fits reports whether an interpreted function of type got can stand in for
// a compiled function of type want: every argument of want is assignable to
// the parameter of got and every result of got to the result of want.
// Generated wrappers call got through reflect, which requires exactly that.
func fits(got, want reflect.Type) bool {
	if got.NumIn() != want.NumIn() || got.NumOut() != want.NumOut() || got.IsVariadic() != want.IsVariadic() {
		return false
	}
	for i := 0; i < want.NumIn(); i++ {
		if !want.In(i).AssignableTo(got.In(i)) {
			return false
		}
	}
	for i := 0; i < want.NumOut(); i++ {
		if !got.Out(i).AssignableTo(want.Out(i)) {
			return false
		}
	}
	return true
}

// importSpecs returns the import specs for a patch of package pkgPath: a dot
// import of the package itself, the explicit imports, and one import for
// each selector name that matches exactly one registered package. bound
// maps each package name the specs bind to its import path.
func importSpecs(pkgPath string, explicit, selectors []string) (specs []string, bound map[string]string, err error) {
	bound = map[string]string{}
	if pkgPath != "" {
		specs = append(specs, ". "+strconv.Quote(pkgPath))
	}
	for _, s := range explicit {
		n, err := importName(s)
		if err != nil {
			return nil, nil, err
		}
		bound[n] = importPath(s)
		specs = append(specs, s)
	}
	for _, sel := range selectors {
		if _, ok := bound[sel]; ok || (pkgPath != "" && hasSymbol(pkgPath, sel)) {
			continue
		}
		switch paths := packagesNamed(sel); len(paths) {
		case 0:
			// Not a package we know; yaegi reports it if it is undefined.
		case 1:
			specs = append(specs, strconv.Quote(paths[0]))
			bound[sel] = paths[0]
		default:
			return nil, nil, fmt.Errorf("package name %s is ambiguous (%s): add an import", sel, strings.Join(paths, ", "))
		}
	}
	return specs, bound, nil
}
