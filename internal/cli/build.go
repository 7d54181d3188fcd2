package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/go-delve/delve/pkg/config"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/patcher"
)

func init() {
	register(&command{
		name:    "build",
		usage:   "[-o output] [--test] [--build-flags FLAGS] [package]",
		summary: "build a patchable debug binary",
		help: `Build compiles the named main package (default: the current directory) the
way 'livepatch debug' and 'livepatch dap' do: optimizations off, every function
of your modules able to take a patch, and livepatch's agent linked in. Your
files are not modified. Next to the binary it writes OUTPUT.livepatch.json,
the manifest of the functions that can and cannot be patched.

'livepatch debug' and 'livepatch dap' build this way themselves; a binary
from 'livepatch build' debugged with launch mode "exec" debugs normally but
does not yet take Go input or patches. A normal 'go build' of your program
never contains the agent.`,
		run: runBuild,
	})
	flagSets["build"] = func() *flag.FlagSet { fs, _ := buildFlags(); return fs }
}

type buildOptions struct {
	output     string
	test       bool
	buildFlags string
	log        logFlags
}

func buildFlags() (*flag.FlagSet, *buildOptions) {
	o := &buildOptions{}
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.StringVar(&o.output, "o", "", "write the binary to `path` (default: as go build would)")
	fs.BoolVar(&o.test, "test", false, "build the package's test binary, as go test -c")
	fs.StringVar(&o.buildFlags, "build-flags", "", "`flags` for the go command, e.g. '-tags=dev'")
	o.log.register(fs)
	return fs, o
}

func runBuild(ctx context.Context, env *Env, args []string) error {
	fs, o := buildFlags()
	if err := parse(env, commands["build"], fs, args); err != nil {
		return err
	}
	logs, err := o.log.setup()
	if err != nil {
		return err
	}
	defer logs.close()
	res, err := patcher.Build(ctx, patcher.Options{
		Packages:   fs.Args(),
		Output:     o.output,
		Test:       o.test,
		BuildFlags: config.SplitQuotedFields(o.buildFlags, '\''),
		Log:        logs.get("patcher"),
		Progress:   env.Stderr,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\n", res.Output)
	return nil
}

// PatchBuilder is the builder of every launch path: patchable debug builds.
// Log may be nil. Built, when not nil, receives every successful build's
// result, whose loaded packages the Go prompt keeps for type checking.
type PatchBuilder struct {
	Log   *slog.Logger
	Built func(*patcher.Result)
}

func (b PatchBuilder) Build(ctx context.Context, req dapproxy.BuildRequest, progress io.Writer) error {
	dir, flags := req.Dir, req.Flags
	if len(flags) >= 2 && flags[0] == "-C" { // go's -C must come first; the builder takes it as Dir
		dir, flags = absFromDir(dir, flags[1]), flags[2:]
	}
	res, err := patcher.Build(ctx, patcher.Options{
		Dir:        dir,
		Packages:   req.Packages,
		Output:     req.Output,
		Test:       req.Test,
		BuildFlags: flags,
		Env:        req.Env,
		Log:        b.Log,
		Progress:   progress,
	})
	if err != nil {
		return err
	}
	// A build that reused the previous one loads its type information in
	// the background. Wait for it here, before Delve starts the program:
	// while its target runs, Delve waits for any child of this process
	// (wait4 with pid -1) and reaps the go command's processes before
	// os/exec can, and the load failed with "waitid: no child processes",
	// leaving the Go prompt without type information for the session. Its
	// error, if any, is the prompt's to report.
	res.TypeInfo(ctx)
	if b.Built != nil {
		b.Built(res)
	}
	return nil
}
