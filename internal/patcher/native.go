package patcher

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/livepatch/livepatch/internal/patcher/naming"
	"github.com/livepatch/livepatch/internal/usermod"
)

// NativeFileName is the file added (through the overlay) to every user
// package: it exports what the package does not, so that a native patch,
// compiled as a plugin in a package of its own, reaches it (package main
// too: nativemain.go). A step into one of its accessors is stepped
// through (internal/livepatch, step.go).
const NativeFileName = "zz_livepatch_native.go"

// The names a package's native exports file declares. A native patch
// writes an unexported name x of the package as NativeTypePrefix+x
// (a type alias), NativeFuncPrefix+x (a variable holding the function),
// (*NativeVarPrefix+x) (a variable holding the variable's address) or
// NativeConstPrefix+x; an unexported field f of struct type T as
// (*NativeFieldPrefix+T_f(&x)), and an unexported method m of T as
// NativeMethodPrefix+T_m(x), which returns the method value.
const (
	NativeTypePrefix   = "LpNT_"
	NativeFuncPrefix   = "LpNF_"
	NativeVarPrefix    = "LpNV_"
	NativeConstPrefix  = "LpNC_"
	NativeFieldPrefix  = "LpNField_"
	NativeMethodPrefix = "LpNMethod_"
)

// nativeExports generates the native exports file of user package pkg:
// for every unexported package-level type, function, variable and
// constant an exported name, and exported accessors of the unexported
// fields and methods of its types. A generic function's name is a generic
// function that calls it (genericFuncAccessor), and the accessors of a
// generic type's fields and methods are generic (genericTypeAccessors);
// an unexported generic type has no name (an alias of it needs go1.24 in
// the package: a native patch that names one stays interpreted), and
// names the package declares itself are left out.
func nativeExports(pkg *types.Package, skipped func(name, why string)) []byte {
	imports := naming.NewImports(pkg)
	var decls, discard bytes.Buffer
	scope := pkg.Scope()
	taken := func(name string) bool {
		if scope.Lookup(name) != nil {
			skipped(name, "name taken")
			return true
		}
		return false
	}
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		tn, isType := obj.(*types.TypeName)
		if isType && naming.ConstraintType(tn) {
			continue
		}
		if isType && naming.GenericType(tn) {
			genericTypeAccessors(&decls, pkg, tn.Type().(*types.Named), imports, taken, skipped)
			continue
		}
		if isType && !tn.IsAlias() {
			if named, ok := tn.Type().(*types.Named); ok {
				fieldAccessors(NativeFieldPrefix, pkg, named, name, imports, &discard, &decls, skipped)
				methodAccessors(NativeMethodPrefix, pkg, named, name, imports, &discard, &decls, skipped)
			}
		}
		if obj.Exported() || name == "_" || name == "init" {
			continue
		}
		switch o := obj.(type) {
		case *types.TypeName:
			if !taken(NativeTypePrefix + name) {
				fmt.Fprintf(&decls, "\ntype %s%s = %s\n", NativeTypePrefix, name, name)
			}
		case *types.Func:
			switch sig := o.Type().(*types.Signature); {
			case taken(NativeFuncPrefix + name):
			case sig.TypeParams().Len() == 0:
				fmt.Fprintf(&decls, "\nvar %s%s = %s\n", NativeFuncPrefix, name, name)
			default:
				genericFuncAccessor(&decls, pkg, o, imports, skipped)
			}
		case *types.Var:
			if !taken(NativeVarPrefix + name) {
				fmt.Fprintf(&decls, "\nvar %s%s = &%s\n", NativeVarPrefix, name, name)
			}
		case *types.Const:
			if !taken(NativeConstPrefix + name) {
				fmt.Fprintf(&decls, "\nconst %s%s = %s\n", NativeConstPrefix, name, name)
			}
		}
	}
	var b bytes.Buffer
	b.WriteString(generatedHeader)
	fmt.Fprintf(&b, "package %s\n\n", pkg.Name())
	imports.Write(&b)
	b.Write(decls.Bytes())
	return b.Bytes()
}

// genericFuncAccessor writes the native export of fn, an unexported
// generic function: a generic function of the same type parameters that
// calls it, which a plugin instantiates as it instantiates fn:
//
//	func LpNF_keysOf[K comparable, V any](lpP0 map[K]V) []K { return keysOf[K, V](lpP0) }
func genericFuncAccessor(decls *bytes.Buffer, pkg *types.Package, fn *types.Func, imports *naming.Imports, skipped func(name, why string)) {
	sig := fn.Signature()
	name := NativeFuncPrefix + fn.Name()
	tparams, targs, ok := typeParamText(sig.TypeParams(), pkg, imports)
	if !ok {
		skipped(name, "constraint cannot be named here")
		return
	}
	var params, args []string
	for i := range sig.Params().Len() {
		t := sig.Params().At(i).Type()
		if !naming.NameableWith(t, pkg, sig.TypeParams()) {
			skipped(name, "parameter type cannot be named here")
			return
		}
		text, arg := types.TypeString(t, imports.Qualifier), fmt.Sprintf("lpP%d", i)
		if sig.Variadic() && i == sig.Params().Len()-1 {
			text, arg = "..."+strings.TrimPrefix(text, "[]"), arg+"..."
		}
		params = append(params, fmt.Sprintf("lpP%d %s", i, text))
		args = append(args, arg)
	}
	results := types.TypeString(types.NewSignatureType(nil, nil, nil, nil, sig.Results(), false), imports.Qualifier)
	for i := range sig.Results().Len() {
		if !naming.NameableWith(sig.Results().At(i).Type(), pkg, sig.TypeParams()) {
			skipped(name, "result type cannot be named here")
			return
		}
	}
	ret := "return "
	if sig.Results().Len() == 0 {
		ret = ""
	}
	fmt.Fprintf(decls, "\nfunc %s%s(%s)%s { %s%s%s(%s) }\n", name, tparams, strings.Join(params, ", "),
		strings.TrimPrefix(results, "func()"), ret, fn.Name(), targs, strings.Join(args, ", "))
}

// genericTypeAccessors writes the accessors of the unexported fields and
// methods of named, a generic type, as fieldAccessors and
// methodAccessors do for others, each generic in the type's parameters
// (a method's in its receiver's), which a call infers from its argument:
//
//	func LpNField_Stack_items[T any](lpX *Stack[T]) *[]T { return &lpX.items }
//	func LpNMethod_Stack_size[T any](lpX *Stack[T]) func() int { return lpX.size }
func genericTypeAccessors(decls *bytes.Buffer, pkg *types.Package, named *types.Named, imports *naming.Imports, taken func(string) bool, skipped func(name, why string)) {
	base := named.Obj().Name()
	if _, isIface := named.Underlying().(*types.Interface); isIface {
		return
	}
	if st, ok := named.Underlying().(*types.Struct); ok {
		decl, use, ok := typeParamText(named.TypeParams(), pkg, imports)
		for i := 0; ok && i < st.NumFields(); i++ {
			f := st.Field(i)
			acc := NativeFieldPrefix + base + "_" + f.Name()
			if f.Exported() || f.Name() == "_" || taken(acc) {
				continue
			}
			if !naming.NameableWith(f.Type(), pkg, named.TypeParams()) {
				skipped(acc, "field type cannot be named here")
				continue
			}
			fmt.Fprintf(decls, "\nfunc %s%s(lpX *%s%s) *%s { return &lpX.%s }\n", acc, decl, base, use, types.TypeString(f.Type(), imports.Qualifier), f.Name())
		}
	}
	for i := range named.NumMethods() {
		m := named.Method(i)
		acc := NativeMethodPrefix + base + "_" + m.Name()
		if m.Exported() || m.Name() == "_" || taken(acc) {
			continue
		}
		sig := m.Signature()
		decl, use, ok := typeParamText(sig.RecvTypeParams(), pkg, imports)
		value := types.NewSignatureType(nil, nil, nil, sig.Params(), sig.Results(), sig.Variadic())
		if !ok || !naming.NameableWith(value, pkg, sig.RecvTypeParams()) {
			skipped(acc, "method signature cannot be named here")
			continue
		}
		recv := base + use
		if _, ptr := sig.Recv().Type().(*types.Pointer); ptr {
			recv = "*" + recv
		}
		fmt.Fprintf(decls, "\nfunc %s%s(lpX %s) %s { return lpX.%s }\n", acc, decl, recv, types.TypeString(value, imports.Qualifier), m.Name())
	}
}

// typeParamText returns the declaration of type parameters tps,
// "[K comparable, V any]", and their use, "[K, V]"; ok is false when a
// constraint cannot be named in pkg.
func typeParamText(tps *types.TypeParamList, pkg *types.Package, imports *naming.Imports) (decl, use string, ok bool) {
	var decls, uses []string
	for i := range tps.Len() {
		tp := tps.At(i)
		if !naming.NameableWith(tp.Constraint(), pkg, tps) {
			return "", "", false
		}
		name := tp.Obj().Name()
		if name == "_" { // a receiver's blank type parameter: the accessor needs a name to spell its receiver
			name = fmt.Sprintf("lpT%d", i)
		}
		decls = append(decls, name+" "+types.TypeString(tp.Constraint(), imports.Qualifier))
		uses = append(uses, name)
	}
	return "[" + strings.Join(decls, ", ") + "]", "[" + strings.Join(uses, ", ") + "]", true
}

// nativeExportLine reports whether l is a one-line declaration of a
// native exports file, which repairOverlay may leave out.
func nativeExportLine(l string) bool {
	for _, p := range []string{"type " + NativeTypePrefix, "var " + NativeFuncPrefix, "var " + NativeVarPrefix, "const " + NativeConstPrefix} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return (strings.HasPrefix(l, "func "+NativeFieldPrefix) || strings.HasPrefix(l, "func "+NativeMethodPrefix) || strings.HasPrefix(l, "func "+NativeFuncPrefix)) && strings.HasSuffix(l, "}")
}

// NativeBuild is what a plugin build needs to reproduce the packages of a
// patchable build exactly: the go command's directory, the build's flags
// (the debug flags included), its added environment and its overlay. Go
// refuses to load a plugin whose shared packages differ from the host's.
type NativeBuild struct {
	Dir      string   `json:"dir"`
	Flags    []string `json:"flags"`
	Env      []string `json:"env"` // added to the process environment
	Overlay  string   `json:"overlay"`
	BuildDir string   `json:"buildDir"`
	// Files are the Go files of the user packages as built; nil in the
	// state of an older build (hideNewFiles then goes by time).
	Files []string `json:"files,omitempty"`
	// Pinned are copies of the Go files the build compiled from disk (not
	// through the overlay: a file without functions), by original path:
	// a plugin builds with them, as the program was built, whatever the
	// saves have made of the originals since (pinFiles).
	Pinned map[string]string `json:"pinned,omitempty"`
	// Tested is, in a test build, the package under test with its test
	// files, which a plugin links as the test binary does; nil otherwise.
	Tested *TestedPackage `json:"tested,omitempty"`
}

// Plugin builds a plugin (`go build -buildmode=plugin`) of the package
// made of files (by base name) in directory dir, a directory that exists
// only in the overlay, at output, with the host build's flags, environment
// and overlay. The package's import path is dir's within its module: a
// fresh dir per plugin, since a process loads one package path once. A
// plugin of package main (main not nil, dir inside main's directory)
// imports main through its stub (nativemain.go). A failure returns the go
// command's output in the error.
func (nb *NativeBuild) Plugin(ctx context.Context, dir string, files map[string][]byte, output string, main *PluginMain) error {
	ov, err := nb.asBuilt()
	if err != nil {
		return fmt.Errorf("plugin: %w", err)
	}
	srcDir := strings.TrimSuffix(output, filepath.Ext(output)) + "_src"
	if err := os.MkdirAll(srcDir, 0o755); err != nil {
		return fmt.Errorf("plugin: %w", err)
	}
	for base, src := range files {
		p := filepath.Join(srcDir, base)
		if err := os.WriteFile(p, src, 0o644); err != nil {
			return fmt.Errorf("plugin: %w", err)
		}
		ov.Replace[filepath.Join(dir, base)] = p
	}
	var toolexec []string
	if main != nil {
		stub, script := filepath.Join(srcDir, "stub.go"), filepath.Join(srcDir, "toolexec.sh")
		if err := os.WriteFile(stub, main.mainStub(), 0o644); err != nil {
			return fmt.Errorf("plugin: %w", err)
		}
		rel, err := filepath.Rel(main.Dir, dir)
		if err != nil || strings.HasPrefix(rel, "..") {
			return fmt.Errorf("plugin: %s is not inside package main's directory", dir)
		}
		if err := os.WriteFile(script, main.toolexec(main.Path+"/"+filepath.ToSlash(rel)), 0o755); err != nil {
			return fmt.Errorf("plugin: %w", err)
		}
		ov.Replace[filepath.Join(main.Dir, MainStubDir, "stub.go")] = stub
		toolexec = []string{"-toolexec=" + script}
	}
	tested := ""
	if nb.Tested != nil {
		gcflags, err := nb.Tested.addTested(ov.Replace, nb.Flags) // nativetest.go
		if err != nil {
			return fmt.Errorf("plugin: %w", err)
		}
		tested = "-gcflags=" + nb.Tested.Path + "=" + gcflags
	}
	data, err := json.Marshal(ov)
	if err != nil {
		return fmt.Errorf("plugin: %w", err)
	}
	ovPath := filepath.Join(srcDir, "overlay.json")
	if err := os.WriteFile(ovPath, data, 0o644); err != nil {
		return fmt.Errorf("plugin: %w", err)
	}
	// -buildvcs=false: a plugin's build information is never read, and
	// stamping it runs the version control tool in the user's tree.
	args := append([]string{"build", "-buildmode=plugin", "-buildvcs=false", "-o", output, "-overlay", ovPath}, toolexec...)
	// The tested package's flags come after the build's, which they
	// override for that package.
	withLink := func(gold bool) []string {
		a := append(slices.Clone(args), pluginLinkFlags(nb.Flags, gold)...)
		if nb.Tested != nil {
			a = append(a, tested)
		}
		return append(a, dir)
	}
	gold := goldLinker()
	err = nb.goPlugin(ctx, withLink(gold), output)
	var le *linkError
	if gold && errors.As(err, &le) {
		noGold.Store(true) // the external linker cannot take gold: not again
		err = nb.goPlugin(ctx, withLink(false), output)
	}
	return err
}

// goPlugin runs the go command of a plugin's build, args, which writes
// output. A failure of the external link is a *linkError.
func (nb *NativeBuild) goPlugin(ctx context.Context, args []string, output string) error {
	var out bytes.Buffer
	err := runGo(ctx, nb.Dir, args, append(os.Environ(), nb.Env...), &out, nil)
	if errors.Is(err, syscall.ECHILD) {
		// While its target runs, Delve waits for any child of this
		// process (wait4 of pid -1) and may reap the go command first:
		// its status is lost, but its output is complete, and on success
		// it wrote the plugin (at a path new to this build) and printed
		// nothing.
		if _, serr := os.Stat(output); serr == nil && strings.TrimSpace(out.String()) == "" {
			err = nil
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("plugin: %w", ctx.Err())
		}
		msg := strings.TrimSpace(out.String())
		if strings.Contains(msg, "link: running ") {
			return &linkError{fmt.Errorf("plugin: %w: %s", err, msg)}
		}
		return fmt.Errorf("plugin: %w: %s", err, msg)
	}
	return nil
}

// linkError is a plugin build's failure in the external linker.
type linkError struct{ error }

func (e *linkError) Unwrap() error { return e.error }

// noGold is set once the external linker failed with gold.
var noGold atomic.Bool

// goldLinker reports whether plugins link with gold (-fuse-ld=gold): when
// ld.gold is installed, until a link with it fails. A plugin's link is
// external, and GNU ld takes about half of it (0.4-0.6 s of a plugin of
// package main on a loaded machine); gold takes about two thirds of that.
// The linker does not matter to the loader: the host and each plugin may
// be linked by different ones.
func goldLinker() bool {
	return goldInstalled() && !noGold.Load()
}

var goldInstalled = sync.OnceValue(func() bool {
	_, err := exec.LookPath("ld.gold")
	return err == nil
})

// overlay is an overlay file's content.
type overlay struct{ Replace map[string]string }

// asBuilt returns the build's overlay with the files the build compiled
// from disk pinned as they were and the Go files saved new since hidden:
// the packages as the program was built, which a plugin's build must
// reproduce.
func (nb *NativeBuild) asBuilt() (overlay, error) {
	var ov overlay
	data, err := os.ReadFile(nb.Overlay)
	if err != nil {
		return ov, err
	}
	if err := json.Unmarshal(data, &ov); err != nil {
		return ov, fmt.Errorf("overlay: %w", err)
	}
	for orig, pin := range nb.Pinned {
		if _, ok := ov.Replace[orig]; !ok {
			ov.Replace[orig] = pin
		}
	}
	return ov, hideNewFiles(ov.Replace, nb.Files, nb.Overlay)
}

// hideNewFiles removes from the plugin build's view (an overlay
// replacement by "", which the go command reads as a deleted file) the Go
// files of the build's package directories that the build did not
// compile: a file saved new while the program runs is not part of the
// compiled package, which the plugin must link as built (else the loader
// refuses it: "plugin was built with a different version of package").
// files are the build's Go files; without them, the files that appeared
// since the build wrote its overlay, at overlayPath, are hidden.
func hideNewFiles(replace map[string]string, files []string, overlayPath string) error {
	st, err := os.Stat(overlayPath)
	if err != nil {
		return err
	}
	built := map[string]bool{}
	for _, f := range files {
		built[f] = true
	}
	dirs := map[string]bool{}
	for p := range replace {
		dirs[filepath.Dir(p)] = true
	}
	for d := range dirs {
		names, err := filepath.Glob(filepath.Join(d, "*.go"))
		if err != nil {
			return err
		}
		for _, p := range names {
			if _, ok := replace[p]; ok || built[p] || strings.HasSuffix(p, "_test.go") {
				continue
			}
			if fi, err := os.Stat(p); err == nil && (files != nil || fi.ModTime().After(st.ModTime())) {
				replace[p] = ""
			}
		}
	}
	return nil
}

// pinFiles copies into dir the files of files that the overlay ov does
// not replace, as they are now (as the build compiles them), and returns
// the copies by original path.
func pinFiles(dir string, files []string, ov map[string]string) (map[string]string, error) {
	pinned := map[string]string{}
	for i, f := range files {
		if _, ok := ov[f]; ok || strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("pin %s: %w", f, err)
		}
		p := filepath.Join(dir, strconv.Itoa(i), filepath.Base(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("pin %s: %w", f, err)
		}
		if err := usermod.WriteIfChanged(p, src); err != nil {
			return nil, fmt.Errorf("pin %s: %w", f, err)
		}
		pinned[f] = p
	}
	return pinned, nil
}

// pluginLinkFlags returns the host build's flags for a plugin's build,
// with the linker told to leave the debug information uncompressed: a
// plugin links its own copy of every package it reaches (the agent and
// the interpreter included), and compressing their DWARF is a third of a
// small plugin's build; the sections are not loaded, and Delve reads
// them either way. With gold, the external linker is told to use gold,
// unless the user's -ldflags choose the external linker or its flags.
// The user's -ldflags, if any, are kept.
func pluginLinkFlags(flags []string, gold bool) []string {
	nocompress := "-compressdwarf=false"
	if gold && !slices.ContainsFunc(flags, func(f string) bool {
		return strings.Contains(f, "-extld") || strings.Contains(f, "-linkmode")
	}) {
		nocompress += " -extldflags=-fuse-ld=gold"
	}
	out := slices.Clone(flags)
	for i, f := range out {
		for _, name := range []string{"-ldflags", "--ldflags"} {
			switch {
			case strings.HasPrefix(f, name+"="):
				out[i] = f + " " + nocompress
				return out
			case f == name && i+1 < len(out):
				out[i+1] += " " + nocompress
				return out
			}
		}
	}
	return append(out, "-ldflags="+nocompress)
}
