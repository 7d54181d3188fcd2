package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
	yunsafe "github.com/traefik/yaegi/stdlib/unsafe"

	"github.com/livepatch/livepatch/target/agent/bintypes"
	"github.com/livepatch/livepatch/target/agent/fmtvalue"
	"github.com/livepatch/livepatch/target/agent/ifacewrap"
	"github.com/livepatch/livepatch/target/agent/side"
	"github.com/livepatch/livepatch/target/agent/stdgeneric"
)

// machine is the process's one yaegi interpreter, created on first use.
// Every use of it holds mu: yaegi is not safe for concurrent compilation.
// Interpreted functions that were already compiled run concurrently without
// mu.
var machine struct {
	mu          sync.Mutex
	once        sync.Once
	interp      *yaegi.Interpreter
	err         error
	nextPkg     int                // suffix of the next scratch package name
	progNop     *yaegi.Program     // a program that does nothing
	dotted      map[string]bool    // packages dot-imported into the REPL scope
	replImports map[string]bool    // package names imported into the REPL scope
	patched     map[int]patchInfo  // current patches by index
	vars        map[string]homeVar // package variables patch sets declared, by "path.name" (vars.go)

	stderr        stderrTap               // the interpreter's stderr
	importPaths   map[string]string       // names imported by Imports: name -> path
	types         map[string]reflect.Type // pointer types of frame variables, by type
	frameImported bool                    // lp_frame is imported into the REPL scope

	bin         *bintypes.Symbols // the lp_bin symbols (package bintypes)
	binImported bool              // lp_bin is imported into the REPL scope

	wrappers map[string]map[string]bool // interface wrappers given, by Exports key (package ifacewrap)
}

// interpreter returns the interpreter, creating it on first use and giving
// it every registered package. The caller holds machine.mu.
func interpreter() (*yaegi.Interpreter, error) {
	machine.once.Do(func() {
		// Unrestricted, with stdio that follows os.Stdin and os.Stdout:
		// patched code must see the program's environment, arguments,
		// flags, logger and standard streams, not yaegi's sandbox copies.
		i := yaegi.New(yaegi.Options{Stdin: liveStdin{}, Stdout: liveStdout{}, Stderr: &machine.stderr, Unrestricted: true})
		if err := i.Use(guardExports()); err != nil {
			machine.err = fmt.Errorf("create interpreter: %w", err)
			return
		}
		if err := i.Use(goExports()); err != nil {
			machine.err = fmt.Errorf("create interpreter: %w", err)
			return
		}
		if err := i.Use(side.Exports()); err != nil {
			machine.err = fmt.Errorf("create interpreter: %w", err)
			return
		}
		if err := i.Use(fmtvalue.Exports()); err != nil {
			machine.err = fmt.Errorf("create interpreter: %w", err)
			return
		}
		if err := i.Use(unsafeExports()); err != nil {
			machine.err = fmt.Errorf("create interpreter: %w", err)
			return
		}
		ex := snapshotExports()
		machine.wrappers = map[string]map[string]bool{}
		ifacewrap.Add(ex, machine.wrappers, registeredName)
		if err := i.Use(ex); err != nil {
			// Symbols are in; only yaegi's generic std sources failed.
			logger.Warn("interpreter setup incomplete", "err", err)
		}
		undoSandbox(i, ex)
		stdgeneric.Use(i, func(src string) error { _, err := compile(i, src); return err }, logger)
		machine.interp = i
		var err error
		if machine.progNop, err = i.Compile("0"); err != nil {
			machine.err = fmt.Errorf("create interpreter: %w", err)
			return
		}
		// Make interpreted channel operations cancellable from the start.
		renew(i)
		machine.dotted = map[string]bool{}
		machine.replImports = map[string]bool{}
		if machine.patched == nil { // a native patch may come first (native.go)
			machine.patched = map[int]patchInfo{}
		}
		machine.vars = map[string]homeVar{}
		machine.importPaths = map[string]string{}
		machine.types = map[string]reflect.Type{}
		machine.bin = bintypes.NewSymbols()
	})
	return machine.interp, machine.err
}

// unsafeExports returns yaegi's symbols of package unsafe, with the
// conversion hook that lets interpreted code convert between unsafe.Pointer,
// uintptr and pointer types (the builder's tables leave unsafe out: it has
// no symbols of its own to take the address of). Interpreted code is the
// program's own source, run inside the program's patchable build, and may
// do what the compiled code it replaces did; yaegi has unsafe.Pointer, Add,
// Sizeof, Alignof and Offsetof, not Slice, SliceData, String or StringData,
// which stay undefined.
func unsafeExports() yaegi.Exports {
	const self = "github.com/traefik/yaegi/yaegi" // yaegi's key for hooks
	return yaegi.Exports{
		"unsafe/unsafe": yunsafe.Symbols["unsafe/unsafe"],
		self:            yunsafe.Symbols[self],
	}
}

// addLateSymbols gives the interpreter, if it exists already, symbols that
// were registered after it was created.
func addLateSymbols(key string, symbols map[string]reflect.Value) {
	machine.mu.Lock()
	defer machine.mu.Unlock()
	if machine.interp == nil {
		return
	}
	c := make(map[string]reflect.Value, len(symbols))
	for s, v := range symbols {
		c[s] = v
	}
	ex := yaegi.Exports{key: c}
	ifacewrap.Add(ex, machine.wrappers, registeredName)
	if err := machine.interp.Use(ex); err != nil {
		logger.Warn("late symbols", "package", key, "err", err)
	}
}

// scratchPackage returns a fresh package name for one compilation, so that
// a failed compilation leaves nothing that a later one could collide with.
// The caller holds machine.mu.
func scratchPackage() string {
	machine.nextPkg++
	return fmt.Sprintf("lp_patch_%d", machine.nextPkg)
}

// stopGrace bounds how long a stopped evaluation may take to return.
// The agent's durations are variables, not constants: Delve names a
// value by a constant of its type that has it, and would show the user's
// time.Second as agent.stopGrace.
var stopGrace = time.Second

// unparsable is source that fails to parse, so evaluating it neither
// executes nor compiles anything.
const unparsable = "("

// evalContext compiles and runs src in i, stopping it when ctx ends. The
// caller holds machine.mu.
//
// yaegi's own EvalWithContext returns at the deadline while the stopped
// evaluation goroutine still runs inside the interpreter, where it races
// with the next compilation. Here the evaluation runs on a goroutine the
// agent watches. At the deadline the agent stops every interpreted frame
// and waits for the evaluation to return before it renews the
// interpreter's run state. yaegi's stop is interpreter-wide: interpreted
// code running on other goroutines at that instant (patched functions in
// flight) is stopped too and returns zero values. Code blocked inside a
// compiled call cannot be stopped: after stopGrace the agent gives up the
// wait and returns a *RunningError that says where the input waits (see
// running.go), and records the input's outcome once it returns.
func evalContext(ctx context.Context, i *yaegi.Interpreter, src string) (reflect.Value, error) {
	prog, err := compile(i, src)
	if err != nil {
		return reflect.Value{}, err
	}
	var v reflect.Value
	done := make(chan struct{})
	goid := make(chan int64, 1)
	go func() {
		defer close(done)
		id := currentGoroutine()
		goid <- id
		opHolder.Store(id) // the caller's hold of machine.mu is this code's (generic.go)
		v, err = i.Execute(prog)
	}()
	select {
	case <-done:
		return v, err
	case <-ctx.Done():
	}
	if !stopAll(i, done) {
		re := blockedInput(<-goid)
		go func() {
			<-done
			inputEnded(re.Input.ID, panicError(err, ""))
		}()
		renew(i)
		return reflect.Value{}, re
	}
	renew(i)
	return reflect.Value{}, ctx.Err()
}

// compile compiles src, turning a panic inside yaegi's compiler into an
// error.
//
// A stop (stopAll) leaves yaegi's goroutines of its EvalWithContext calls
// parsing unparsable source for a moment after it returns, and yaegi adds
// a file to its file set in two steps (Base, then AddFile), so a compile
// at that moment may panic with "invalid base": nothing was compiled, and
// it is made again (TestPromptWhileRunningLimits failed CI so once).
func compile(i *yaegi.Interpreter, src string) (prog *yaegi.Program, err error) {
	for range baseRetries {
		prog, err = compileOnce(i, src)
		if err == nil || !strings.Contains(err.Error(), "invalid base") {
			return prog, err
		}
		runtime.Gosched()
	}
	return prog, err
}

// baseRetries bounds the compiles of one source that meet yaegi's file set
// race (compile). A variable, as stopGrace is.
var baseRetries = 5

func compileOnce(i *yaegi.Interpreter, src string) (prog *yaegi.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, fmt.Errorf("interpreter failed: %v", unwrapPanic(r))
		}
	}()
	return i.Compile(src)
}

// stopAll stops every running interpreted frame and waits until done is
// closed or stopGrace passes; it reports whether done was closed. The
// caller holds machine.mu.
//
// The only way into yaegi's stop is a *WithContext call whose context has
// ended. That call must not execute anything, since executing resets the
// run id that stop changes, nor compile, which would race with the stopped
// evaluation: evaluating unparsable source does neither. yaegi stops before
// it looks at the result when the context has already ended, but it may
// pick the result when both are ready, hence the loop. (EvalWithContext,
// unlike EvalPathWithContext and ExecuteWithContext, keeps its goroutine's
// results in locals, so returning early is free of data races.)
func stopAll(i *yaegi.Interpreter, done <-chan struct{}) bool {
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	grace := time.NewTimer(stopGrace)
	defer grace.Stop()
	for {
		if _, err := i.EvalWithContext(ended, unparsable); errors.Is(err, context.Canceled) {
			break
		}
		select {
		case <-grace.C:
			return false
		case <-done:
			return true
		default:
		}
	}
	select {
	case <-done:
		return true
	case <-grace.C:
		return false
	}
}

// renew gives the interpreter a fresh run id and cancellation channel, after
// which frames of published patches run again. The caller holds machine.mu.
func renew(i *yaegi.Interpreter) {
	if _, err := i.ExecuteWithContext(context.Background(), machine.progNop); err != nil {
		logger.Warn("renew interpreter", "err", err)
	}
}

// liveStdout writes to os.Stdout as it is at each write (fmt.Print in
// interpreted code writes through it, like compiled code).
type liveStdout struct{}

func (liveStdout) Write(p []byte) (int, error) { return os.Stdout.Write(p) }

// liveStdin reads from os.Stdin as it is at each read.
type liveStdin struct{}

func (liveStdin) Read(p []byte) (int, error) { return os.Stdin.Read(p) }

// undoSandbox gives back the program's own os.Args, flag.CommandLine and
// package log functions, which yaegi replaces with copies of its own when
// it is given package fmt (a snapshot of the arguments, a new FlagSet, a
// logger whose Fatal panics): patched code must share them with the
// compiled code. Giving them again under keys other than fmt's does not
// make yaegi replace them once more.
func undoSandbox(i *yaegi.Interpreter, ex yaegi.Exports) {
	re := yaegi.Exports{}
	for key, names := range map[string][]string{
		"os/os":     {"Args"},
		"flag/flag": {"CommandLine"},
		"log/log":   {"Fatal", "Fatalf", "Fatalln", "Flags", "Output", "Panic", "Panicf", "Panicln", "Prefix", "Print", "Printf", "Println", "SetFlags", "SetOutput", "SetPrefix", "Writer"},
	} {
		c := map[string]reflect.Value{}
		for _, n := range names {
			if v, ok := ex[key][n]; ok {
				c[n] = v
			}
		}
		if len(c) > 0 {
			re[key] = c
		}
	}
	if err := i.Use(re); err != nil {
		logger.Warn("interpreter setup incomplete", "err", err)
	}
}
