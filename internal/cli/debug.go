package cli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"strings"

	"github.com/go-delve/delve/service/debugger"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/terminal"
)

func init() {
	register(&command{
		name:    "debug",
		usage:   "[flags] [package] [-- program arguments]",
		summary: "build a program for debugging, run it, and give a debugger prompt",
		help: `Debug builds the main package in the current directory, or the named one,
for debugging, starts it under the embedded Delve, and gives a prompt. It is
the terminal face of the same DAP proxy editors use through 'livepatch dap'.

At the prompt, commands are named as in dlv: break (b), condition (cond),
clear, clearall, breakpoints (bp), continue (c), next (n), step (s), stepout
(so), print (p), locals, args, stack (bt), frame, up, down, goroutines (grs),
goroutine, list (ls), restart (r), exit (quit, q) and help (h). Anything else
is evaluated in the selected frame. While the program runs, the prompt stays: Go typed there
runs in package scope (the main package; :pkg PATH chooses another, :pkg says
which) without stopping the program. Ctrl-C pauses the running program;
Ctrl-D or exit ends the session and stops the program.

Saving a file of the program applies the change live, paused or running: the
console says what was patched, or why the change cannot go live. A func
declaration typed at the prompt redefines that function. :patches lists the
live patches, :diff NAME shows one, :revert NAME (or all) undoes it, and
:help lists the prompt's commands.

Arguments after -- go to the program.`,
		run: runDebug,
	})
	flagSets["debug"] = func() *flag.FlagSet { fs, _ := debugFlags("debug"); return fs }
}

type debugOptions struct {
	buildFlags string
	wd         string
	output     string
	history    string
	log        logFlags
}

// debugFlags returns the flags of debug, which run shares.
func debugFlags(name string) (*flag.FlagSet, *debugOptions) {
	o := &debugOptions{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&o.buildFlags, "build-flags", "", "`flags` for the go command, e.g. '-tags=dev'")
	fs.StringVar(&o.wd, "wd", "", "working `directory` of the program (default: the current directory)")
	fs.StringVar(&o.output, "output", "", "`path` of the built binary (default: a temporary file, removed at exit)")
	fs.StringVar(&o.history, "history", "", "prompt history `file` (default ~/.livepatch_history; - for none)")
	o.log.register(fs)
	return fs, o
}

func runDebug(ctx context.Context, env *Env, args []string) error {
	fs, o := debugFlags("debug")
	launch, err := parseLaunch(env, commands["debug"], fs, o, args)
	if err != nil {
		return err
	}
	logs, err := o.log.setup()
	if err != nil {
		return err
	}
	defer logs.close()

	// The debuggee runs in its own process group, so Ctrl-C reaches the
	// prompt, which pauses the program.
	proxy := newProxy(logs, ProxyConfig{Debugger: debugger.Config{CheckGoVersion: true, Foreground: false}})
	return serveTerminal(ctx, proxy, terminal.Config{
		Launch:      launch,
		Stdin:       env.Stdin,
		Stdout:      env.Stdout,
		Stderr:      env.Stderr,
		HistoryFile: o.history,
	})
}

// parseLaunch parses the command line of debug or run, whose flags fs
// sets o, and returns the launch arguments: mode debug, the package (the
// current directory's by default), and the program's arguments, after --.
func parseLaunch(env *Env, c *command, fs *flag.FlagSet, o *debugOptions, args []string) (map[string]any, error) {
	// Arguments after -- belong to the program.
	var progArgs []string
	for i, a := range args {
		if a == "--" {
			args, progArgs = args[:i], args[i+1:]
			break
		}
	}
	if err := parse(env, c, fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(env.Stderr, "livepatch %s: one package at a time; put program arguments after --\n", c.name)
		return nil, errUsage
	}
	pkg := "."
	if fs.NArg() == 1 {
		pkg = fs.Arg(0)
	}
	launch := map[string]any{"mode": "debug", "program": pkg, "args": progArgs}
	if o.buildFlags != "" {
		launch["buildFlags"] = o.buildFlags
	}
	if o.wd != "" {
		launch["cwd"] = o.wd
	}
	if o.output != "" {
		launch["output"] = o.output
	}
	if progArgs == nil {
		launch["args"] = []string{}
	}
	return launch, nil
}

// serveTerminal serves one session of proxy to the terminal client cfg
// (whose Conn it sets), in this process, until the client ends.
func serveTerminal(ctx context.Context, proxy *dapproxy.Proxy, cfg terminal.Config) error {
	clientSide, proxySide := net.Pipe()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- proxy.Serve(ctx, proxySide) }()
	cfg.Conn = clientSide
	runErr := terminal.Run(ctx, cfg)
	clientSide.Close()
	serveErr := <-served
	if runErr != nil {
		return runErr
	}
	if serveErr != nil && !strings.Contains(serveErr.Error(), "closed") {
		return serveErr
	}
	return nil
}
