// Package cli implements the livepatch command line: the subcommands, their
// flags and help. It wires the packages that do the work (dapproxy, terminal,
// patcher) and owns process concerns: signals, logging, exit codes.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand.
type command struct {
	name    string
	usage   string // after "livepatch NAME"
	summary string
	help    string
	run     func(ctx context.Context, env *Env, args []string) error
}

// Env is what a command reads and writes besides its arguments.
type Env struct {
	Stdin          *os.File
	Stdout, Stderr io.Writer
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// errUsage reports a command line that could not be parsed; the message was
// already printed.
var errUsage = errors.New("usage")

// Main runs the command line args and returns the exit code.
func Main(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if len(args) == 0 {
		printHelp(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c := commands[args[1]]; c != nil {
				printCommandHelp(stdout, c)
				return 0
			}
			fmt.Fprintf(stderr, "livepatch: unknown command %q\n", args[1])
			return 2
		}
		printHelp(stdout)
		return 0
	case "-v", "--version":
		name = "version"
	}
	c := commands[name]
	if c == nil {
		fmt.Fprintf(stderr, "livepatch: unknown command %q\nRun 'livepatch help' for usage.\n", name)
		return 2
	}
	// SIGINT is each command's own: it ends `dap`, but pauses the program
	// under `debug`.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	ctx, stopPipes := endWhenStdioBreaks(ctx)
	defer stopPipes()
	if err := c.run(ctx, env, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if errors.Is(err, errUsage) {
			return 2
		}
		var code exitCode
		if errors.As(err, &code) {
			return int(code)
		}
		fmt.Fprintf(stderr, "livepatch %s: %v\n", name, err)
		return 1
	}
	return 0
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `livepatch debugs a Go program under an embedded Delve and lets you change it
while it runs.

Usage:

	livepatch <command> [arguments]

Commands:

`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "\t%-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Use "livepatch help <command>" for more about a command.
`)
}

func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: livepatch %s %s\n\n%s\n", c.name, c.usage, strings.TrimSpace(c.help))
	fs := c.flags()
	if fs != nil {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// flags returns the command's flag set with defaults, for help.
func (c *command) flags() *flag.FlagSet {
	if f, ok := flagSets[c.name]; ok {
		return f()
	}
	return nil
}

var flagSets = map[string]func() *flag.FlagSet{}

// parse parses args with fs, printing errors and help the way the go
// command does.
func parse(env *Env, c *command, fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandHelp(env.Stdout, c)
			return flag.ErrHelp
		}
		fmt.Fprintf(env.Stderr, "livepatch %s: %v\nRun 'livepatch help %s' for usage.\n", c.name, err, c.name)
		return errUsage
	}
	return nil
}
