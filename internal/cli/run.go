package cli

import (
	"context"
	"errors"
	"flag"
	"os"
	"strconv"

	"github.com/go-delve/delve/service/debugger"
	"github.com/livepatch/livepatch/internal/terminal"
)

func init() {
	register(&command{
		name:    "run",
		usage:   "[flags] [package] [-- program arguments]",
		summary: "build a program patchably and run it, applying saves live, without a debugger",
		help: `Run builds the main package in the current directory, or the named one,
patchably, and runs it as 'go run' would, with no debugger: no ptrace, so it
works where a debugger cannot attach (a container without SYS_PTRACE), and
the program runs at full speed. Saves of the program's files are applied to
the running program as 'livepatch dap' and 'livepatch debug' apply them,
and the console says what was patched, or why a save cannot go live.

When standard input is a terminal, a Go prompt is there while the program
runs: Go typed there runs in the program's package scope (the main package;
:pkg PATH chooses another, :pkg says which), with history, completion and
multi-line input as in 'livepatch debug'; :patches, :diff and :revert work
on the live patches. The program's standard input is then empty. Without a
terminal there is no prompt, and the program reads livepatch's standard
input.

A save that cannot go live (a struct's layout changed, say) is refused with
its reason; with -restart, livepatch then rebuilds the program and starts it
again, saying so. Ctrl-C stops the program (it gets SIGINT, as under 'go
run'; a second Ctrl-C kills it), and livepatch exits when the program does,
with the program's exit status (128+N for a program killed by signal N).

Arguments after -- go to the program.`,
		run: runRun,
	})
	flagSets["run"] = func() *flag.FlagSet { fs, _ := runFlags(); return fs }
}

// runFlags returns the flags of run: those of debug, and -restart.
func runFlags() (*flag.FlagSet, *runOptions) {
	fs, d := debugFlags("run")
	o := &runOptions{debugOptions: d}
	fs.BoolVar(&o.restart, "restart", false, "rebuild and restart the program after a save that cannot be applied live")
	return fs, o
}

type runOptions struct {
	*debugOptions
	restart bool
}

func runRun(ctx context.Context, env *Env, args []string) error {
	fs, o := runFlags()
	launch, err := parseLaunch(env, commands["run"], fs, o.debugOptions, args)
	if err != nil {
		return err
	}
	logs, err := o.log.setup()
	if err != nil {
		return err
	}
	defer logs.close()
	if terminal.IsTerminal(env.Stdin) {
		// The prompt reads the terminal.
		launch["stdinFrom"] = os.DevNull
	}
	proxy := newProxy(logs, ProxyConfig{Debugger: debugger.Config{CheckGoVersion: true}, Restart: o.restart})
	err = serveTerminal(ctx, proxy, terminal.Config{
		Launch:      launch,
		Stdin:       env.Stdin,
		Stdout:      env.Stdout,
		Stderr:      env.Stderr,
		HistoryFile: o.history,
		Run:         true,
	})
	var ee *terminal.ExitError
	if errors.As(err, &ee) {
		code := ee.Code
		if code < 0 {
			code = 128 - code
		}
		return exitCode(code)
	}
	return err
}

// exitCode ends a command with a status of its own, said by the command
// already.
type exitCode int

func (c exitCode) Error() string { return "exit status " + strconv.Itoa(int(c)) }
