package agent

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/target/agent/bintypes"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// ApplyError reports every patch of a set that failed, each an Error whose
// Func names the function; when it is returned, nothing of the set was
// applied.
type ApplyError struct {
	Failures []wire.Error
}

// Error lists the failures, one per line.
func (e *ApplyError) Error() string {
	var b strings.Builder
	for i, f := range e.Failures {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s: %s", f.Func, f.Error())
	}
	return b.String()
}

// patchInfo is what the agent remembers of a live patch.
type patchInfo struct {
	key    string
	source string
	native bool // switched to a plugin's function (native.go)
}

// Apply compiles every patch of the set and, only when all of them compile,
// publishes one new table holding them together with the patches already
// live. On any failure it returns an *ApplyError and applies nothing.
// Apply is safe for concurrent use; operations are serialized.
func Apply(patches []wire.Patch) error {
	machine.mu.Lock()
	defer machine.mu.Unlock()
	defer holdMachine()()
	return applyLocked(patches)
}

// failedAt is the failure of the patch at a position in its set.
type failedAt struct {
	at  int
	err wire.Error
}

func applyLocked(patches []wire.Patch) error {
	if _, err := interpreter(); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	type ready struct {
		e    *funcEntry
		fn   any
		info patchInfo
		p    wire.Patch
	}
	var (
		failed []failedAt // in the order found
		done   []ready
		seen   = map[int]bool{}
	)
	// Patches with the same helpers (one change) compile into one scratch
	// package; the others each into their own.
	type group struct {
		es []*funcEntry
		ps []wire.Patch
		at []int // positions in the set
	}
	fail := func(at int, f wire.Error) { failed = append(failed, failedAt{at, f}) }
	groups := map[string]*group{}
	var order []string
	for at, p := range patches {
		e, err := lookupFunc(p.Ref)
		if err != nil {
			fail(at, failure(p.Ref, err))
			continue
		}
		ref := wire.Ref{Key: e.key, Index: e.index}
		if seen[e.index] {
			fail(at, failure(ref, wire.Errorf(wire.ErrDuplicate, "patched twice in one set")))
			continue
		}
		seen[e.index] = true
		key := "\x00" + strconv.Itoa(e.index) // alone
		if len(p.Helpers) > 0 || len(p.Vars) > 0 {
			pkgPath, _ := packageOf(e.key)
			key = pkgPath + "\x00" + strings.Join(p.Helpers, "\x00") + "\x00" + varsKey(p.Vars)
		}
		g := groups[key]
		if g == nil {
			g = &group{}
			groups[key] = g
			order = append(order, key)
		}
		g.es, g.ps, g.at = append(g.es, e), append(g.ps, p), append(g.at, at)
	}
	for _, key := range order {
		g := groups[key]
		values, errs := compileGroup(g.es, g.ps)
		for k, e := range g.es {
			if errs[k] != nil {
				fail(g.at[k], failure(wire.Ref{Key: e.key, Index: e.index}, errs[k]))
				continue
			}
			done = append(done, ready{e: e, fn: values[k], info: patchInfo{key: e.key, source: g.ps[k].Source}, p: g.ps[k]})
		}
	}
	if len(failed) > 0 {
		// In the order of the set.
		sort.SliceStable(failed, func(a, b int) bool { return failed[a].at < failed[b].at })
		failures := make([]wire.Error, len(failed))
		for i, f := range failed {
			failures[i] = f.err
		}
		return &ApplyError{Failures: failures}
	}
	if len(done) == 0 {
		return nil
	}
	t := copyTable()
	var opens []func()
	for _, r := range done {
		t.Fns[r.e.index] = r.fn
		machine.patched[r.e.index] = r.info
		recordPlace(r.e.index, r.p)
		if r.p.Hold && !r.e.generic {
			holdLocked(t, r.e.index) // gate.go
		} else if open := unholdLocked(t, r.e.index, false); open != nil {
			opens = append(opens, open)
		}
	}
	Publish(t)
	openAfterReply(opens) // gate.go
	return nil
}

// Revert publishes a table without the patches of the named functions.
// Naming a function that is not patched is not an error; naming one that
// does not exist is, and then nothing is reverted.
func Revert(refs []wire.Ref) error {
	machine.mu.Lock()
	defer machine.mu.Unlock()
	return revertLocked(refs)
}

func revertLocked(refs []wire.Ref) error {
	es, err := lookupFuncs(refs)
	if err != nil {
		return err
	}
	if machine.patched == nil {
		return nil // nothing was ever patched
	}
	t := copyTable()
	var opens []func()
	for _, e := range es {
		i := e.index
		t.Fns[i] = nil
		delete(machine.patched, i)
		if open := unholdLocked(t, i, false); open != nil { // gate.go
			opens = append(opens, open)
		}
	}
	if len(machine.patched) == 0 {
		Publish(nil)
	} else {
		Publish(t)
	}
	openAfterReply(opens) // gate.go
	return nil
}

// RevertAll removes every patch.
func RevertAll() {
	machine.mu.Lock()
	defer machine.mu.Unlock()
	revertAllLocked()
}

func revertAllLocked() {
	open := unholdAllLocked() // gate.go
	Publish(nil)
	open()
	if machine.patched != nil {
		clear(machine.patched)
	}
}

// Patched lists the functions patched now, by index.
func Patched() []wire.PatchedFunc {
	machine.mu.Lock()
	defer machine.mu.Unlock()
	return patchedLocked()
}

func patchedLocked() []wire.PatchedFunc {
	out := make([]wire.PatchedFunc, 0, len(machine.patched))
	for i, p := range machine.patched {
		out = append(out, wire.PatchedFunc{Ref: wire.Ref{Key: p.key, Index: i}, Source: p.source, Native: p.native})
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

// compileGroup compiles patches that share their helpers (one change of a
// saved file: the new functions, methods and types it declares), or one
// patch, into one fresh scratch package, so that a type the change declares
// is the same type in every function of it; a failed compilation leaves
// nothing that a later one could collide with. It returns a value, or an
// error, per patch. When the patches' imports bind one name to two packages
// it compiles each alone instead. A panic inside yaegi's compiler becomes
// the error of every patch not compiled yet. The caller holds machine.mu.
func compileGroup(es []*funcEntry, ps []wire.Patch) (values []any, errs []error) {
	values, errs = make([]any, len(ps)), make([]error, len(ps))
	alone := func() ([]any, []error) {
		for k := range ps {
			v, err := compileGroup(es[k:k+1], ps[k:k+1])
			values[k], errs[k] = v[0], err[0]
		}
		return values, errs
	}
	defer func() {
		if r := recover(); r != nil {
			for k := range ps {
				if values[k] == nil && errs[k] == nil {
					errs[k] = wire.Errorf(wire.ErrInterpreter, "interpreter failed: %v", unwrapPanic(r))
				}
			}
		}
	}()
	prepared := make([]*preparedPatch, len(ps))
	union := map[string]string{} // name -> path of every spec
	var specs []string
	usesBin := false
	ok := 0
	for k := range ps {
		pp, err := preparePatch(es[k], ps[k])
		if err != nil {
			errs[k] = err
			continue
		}
		prepared[k], ok = pp, ok+1
		usesBin = usesBin || pp.usesBin
		for _, sp := range pp.specs {
			n, path := specName(sp)
			if prev, dup := union[n]; dup && (prev == path || len(ps) > 1) {
				if prev != path {
					return alone()
				}
				continue
			}
			union[n] = path
			specs = append(specs, sp)
		}
	}
	if ok == 0 {
		return values, errs
	}
	if err := compileWithHelpers(es, ps, prepared, specs, usesBin, values, errs); err != nil {
		for k := range ps {
			if errs[k] == nil {
				errs[k] = err
			}
		}
	}
	return values, errs
}

// compileWithHelpers compiles the prepared patches of a group (nil for
// those that failed) into one scratch package with their helpers and
// imports, after making the new variables they declare (vars.go), whose
// initializers run once every patch compiled. It sets values and errs by
// patch, and returns the error of what they share: the helpers, or the
// new variables. The caller holds machine.mu.
func compileWithHelpers(es []*funcEntry, ps []wire.Patch, prepared []*preparedPatch, specs []string, usesBin bool, values []any, errs []error) error {
	var sc bintypes.Scope
	for _, pp := range prepared {
		if pp != nil {
			sc = pp.scope
			break
		}
	}
	helpers, hBin, err := prepareHelpers(ps[0].Helpers, sc)
	if err != nil {
		return &wire.Error{Kind: helperKind(err), Msg: "helpers: " + err.Error()}
	}
	pkgPath, _ := packageOf(es[0].key)
	nv, err := makeVars(pkgPath, ps[0].Vars, specs)
	if err != nil {
		return &wire.Error{Kind: helperKind(err), Msg: err.Error()}
	}
	if usesBin || hBin {
		specs = append(specs, bintypes.Spec)
	}
	name := scratchPackage()
	if _, err = machine.interp.Eval(packageHeader(name, specs) + strings.Join(helpers, "\n")); err != nil {
		return &wire.Error{Kind: helperKind(err), Msg: "helpers: " + err.Error()}
	}
	for k, pp := range prepared {
		switch {
		case pp == nil:
		case len(pp.p.TypeParams) > 0:
			values[k], errs[k] = newGenericPatch(pp, helpers, specs)
		case pp.e.generic:
			errs[k] = wire.Errorf(wire.ErrMismatch, "%s is generic: the patch has no type parameters", displayKey(pp.e.key))
		default:
			values[k], errs[k] = pp.compile(name, fmt.Sprintf("LpFn%d", k))
		}
	}
	if err := initVars(nv, name, errs); err != nil {
		return &wire.Error{Kind: helperKind(err), Msg: err.Error()}
	}
	return nil
}

// helperKind returns the kind of err, a failure to compile a change's
// helpers: a refusal's, or wire.ErrCompile for the interpreter's.
func helperKind(err error) wire.ErrorKind {
	if k := kindOf(err); k != wire.ErrFailed {
		return k
	}
	return wire.ErrCompile
}

// preparedPatch is a patch parsed, its imports found and its source
// rewritten for compiled types, ready to compile.
type preparedPatch struct {
	e       *funcEntry
	p       wire.Patch
	fs      *funcSource
	specs   []string
	edits   []bintypes.Edit
	scope   bintypes.Scope
	usesBin bool
	// wrap, when not nil, wraps the compiled function in place of the
	// function's registered wrapper (an instantiation of a generic one).
	wrap func(reflect.Value) any
}

// preparePatch gets p, a patch of e, ready to compile.
func preparePatch(e *funcEntry, p wire.Patch) (*preparedPatch, error) {
	fs, err := parseFuncSource(p.Source)
	if err != nil {
		return nil, err
	}
	pkgPath, _ := packageOf(e.key)
	specs, bound, err := importSpecs(pkgPath, p.Imports, fs.selectors)
	if err != nil {
		return nil, err
	}
	if r := refusedAssertion(p.Source, p.Helpers, pkgPath, bound); r != nil {
		r.Place(0, p.File, p.Line)
		return nil, r
	}
	// Pointers to compiled types and method expressions are rewritten so
	// that yaegi handles method values of them (see package bintypes).
	sc := bintypes.Scope{Imports: bound}
	if pkgPath != "" {
		sc.Pkgs = []string{pkgPath}
	}
	src, edits, err := rewriteCompiled(machine.interp, p.Source, sc)
	if e, ok := err.(*wire.Error); ok {
		e.Place(0, p.File, p.Line) // a refusal of package bintypes
		return nil, e
	} else if err != nil {
		return nil, err
	}
	if len(edits) > 0 {
		if fs, err = parseFuncSource(src); err != nil {
			return nil, fmt.Errorf("rewritten source: %w", err)
		}
	}
	return &preparedPatch{e: e, p: p, fs: fs, specs: specs, edits: edits, scope: sc, usesBin: len(edits) > 0}, nil
}

// prepareHelpers rewrites helper declarations for compiled types, and
// reports whether any of them needs the binary-types package.
func prepareHelpers(hs []string, sc bintypes.Scope) ([]string, bool, error) {
	out := make([]string, len(hs))
	usesBin := false
	for k, h := range hs {
		var edits []bintypes.Edit
		var err error
		if out[k], edits, err = rewriteCompiled(machine.interp, h, sc); err != nil {
			return nil, false, err
		}
		usesBin = usesBin || len(edits) > 0
	}
	return out, usesBin, nil
}

// packageHeader starts a source of scratch package name with imports.
func packageHeader(name string, specs []string) string {
	h := fmt.Sprintf("package %s;", name)
	if len(specs) > 0 {
		h += fmt.Sprintf(" import (%s);", strings.Join(specs, "; "))
	}
	return h + "\n"
}

// specName returns the name an import spec binds ("." for a dot import)
// and its path.
func specName(spec string) (name, path string) {
	if i := strings.LastIndexByte(spec, ' '); i > 0 {
		name, path = spec[:i], spec[i+1:]
	} else {
		path = spec
	}
	if u, err := strconv.Unquote(path); err == nil {
		path = u
	}
	if name == "" {
		name = path[strings.LastIndexByte(path, '/')+1:]
		if n, ok := registry.names[path]; ok {
			name = n
		}
	}
	if name == "." {
		name = ". " + path // dot imports of different packages do not clash by name
	}
	return name, path
}

// compile compiles the prepared function as fn in scratch package pkg,
// whose imports and helpers are in already, and returns its wrapped value.
// Compile errors are positioned in the patch's source (file:line:col when
// the patch gives its file).
func (pp *preparedPatch) compile(pkg, fn string) (fnValue any, err error) {
	defer recoverCompile(&err)
	i := machine.interp
	fs, p := pp.fs, pp.p
	src := fmt.Sprintf("package %s;%sfunc %s(%s) %s %s\n", pkg, strings.Repeat("\n", fs.bodyLine), fn, fs.params, fs.results, fs.body)
	base := i.FileSet().Base()
	if _, err := i.Eval(src); err != nil {
		e := interpreterError(wire.ErrCompile, err.Error())
		mapColumn(e, p.Source, pp.edits, 1, fs.bodyLine+1, 0)
		e.Place(1, p.File, p.Line)
		return nil, e
	}
	v, err := i.Eval(pkg + "." + fn)
	if err != nil {
		return nil, fmt.Errorf("load compiled function: %w", err)
	}
	if !v.IsValid() || v.Kind() != reflect.Func {
		return nil, fmt.Errorf("compiled value is not a function")
	}
	defer func() {
		if r := recover(); r != nil {
			err = wire.Errorf(wire.ErrMismatch, "replacement of type %s does not fit: %v", v.Type(), r)
		}
	}()
	wrap := pp.e.wrap
	if pp.wrap != nil {
		wrap = pp.wrap
	}
	w := wrap(v)
	if w == nil || reflect.TypeOf(w).Kind() != reflect.Func {
		return nil, fmt.Errorf("wrapper returned %T, not a function", w)
	}
	if !fits(v.Type(), reflect.TypeOf(w)) {
		return nil, wire.Errorf(wire.ErrMismatch, "replacement of type %s does not fit: the compiled function has type %s", v.Type(), reflect.TypeOf(w))
	}
	addPanicSite(pkg, fn, pp)
	if p.File != "" {
		addInterpLines(i.FileSet(), base, p.Line) // interplines.go
	}
	return w, nil
}

// recoverCompile turns a panic inside yaegi's compiler into *err. It must
// be deferred directly.
func recoverCompile(err *error) {
	if r := recover(); r != nil {
		*err = wire.Errorf(wire.ErrInterpreter, "interpreter failed: %v", unwrapPanic(r))
	}
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
			return nil, nil, wire.Errorf(wire.ErrCompile, "package name %s is ambiguous (%s): add an import", sel, strings.Join(paths, ", "))
		}
	}
	return specs, bound, nil
}
