package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/livepatch/livepatch/internal/repatch"
)

func init() {
	register(&command{
		name:    "test",
		usage:   "[--repatch=all|F1,F2] [--tier=interpreted|native] [--json] [packages] [-- go test flags]",
		summary: "run packages' tests in a patchable build, functions replaced by the interpreter or the native tier",
		help: `Test runs the tests of the named packages (default: the one in the current
directory) twice: natively, with 'go test -json', and as a patchable test
binary built the way 'livepatch dap' builds mode test.

With --repatch=all, every patchable function and method of the packages under
test is replaced, before the first test runs, by the interpreter running that
function's own source, through the pipeline a saved edit takes (type-check,
rewriting, compiling, publishing); --repatch=F1,F2 replaces the named
functions only (by key, example.com/m/pkg.(*T).M, or by name in their package,
(*T).M). The report lists, per package, the functions replaced and refused,
and the tests passed, failed and skipped in both runs; then the refused
functions grouped by reason, and every test that passes natively but not
repatched. --json prints the report as JSON instead.

With --tier=native, the replaced functions run in livepatch's native tier
instead: after the interpreted patches are applied, every function the
native tier takes is compiled into a plugin (one per file), as a saved
edit's native build is, which the test binary loads before its first test; the others
run interpreted. The report then says, per package, how many functions ran
natively, and why the others stayed interpreted. Plugins need cgo and
Linux, FreeBSD or macOS.

Go test flags go to go test, written anywhere on the line (or after --),
as go test takes them (-count=1, -run X, -test.run=X): -run, -skip, -short,
-count, -timeout, -cpu, -parallel, -failfast, -shuffle, -list, -bench,
-benchtime, -benchmem, -tags, -ldflags, -gcflags, -mod; -v and -json are
taken and change nothing (both runs are read as events). A flag livepatch
test cannot honour (-race, -cover, -cpuprofile, ...) is named with the reason.

The exit status is 1 when a test that passes natively fails repatched, or a
package with natively passing tests cannot run repatched.`,
		run: runTest,
	})
	flagSets["test"] = func() *flag.FlagSet { fs, _ := testFlags(); return fs }
}

type testOptions struct {
	repatch string
	tier    string
	json    bool
	log     logFlags
}

func testFlags() (*flag.FlagSet, *testOptions) {
	o := &testOptions{}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.StringVar(&o.repatch, "repatch", "", "`functions` to replace by their own source, run in the --tier: all, or a comma-separated list (default: none)")
	fs.StringVar(&o.tier, "tier", repatch.TierInterpreted, "the `tier` the replaced functions run in: interpreted or native")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	o.log.register(fs)
	return fs, o
}

func runTest(ctx context.Context, env *Env, args []string) error {
	fs, o := testFlags()
	args, testArgs, err := splitTestArgs(fs, args)
	if err != nil {
		fmt.Fprintf(env.Stderr, "livepatch test: %v\n", err)
		return errUsage
	}
	if err := parse(env, commands["test"], fs, args); err != nil {
		return err
	}
	logs, err := o.log.setup()
	if err != nil {
		return err
	}
	defer logs.close()
	opts := repatch.Options{
		Packages:  fs.Args(),
		TestFlags: testArgs,
		Tier:      o.tier,
		Log:       logs.get("repatch"),
		Progress:  env.Stderr,
	}
	switch o.repatch {
	case "":
	case "all":
		opts.All = true
	default:
		for _, f := range strings.Split(o.repatch, ",") {
			if f = strings.TrimSpace(f); f != "" {
				opts.Functions = append(opts.Functions, f)
			}
		}
	}
	rep, err := repatch.Run(ctx, opts)
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if err := rep.WriteText(env.Stdout); err != nil {
		return err
	}
	if n := rep.Regressions(); n > 0 {
		return fmt.Errorf("%d tests pass natively and fail repatched", n)
	}
	return nil
}

// splitTestArgs separates the go test flags (repatch.TestFlag) written
// among livepatch test's own flags and packages, and those after "--",
// from the rest, which fs parses.
func splitTestArgs(fs *flag.FlagSet, args []string) (own, testArgs []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return own, append(testArgs, args[i+1:]...), nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			own = append(own, a)
			continue
		}
		name, _, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "h" || name == "help" {
			own = append(own, a)
			continue
		}
		if f := fs.Lookup(name); f != nil {
			own = append(own, a)
			b, isBool := f.Value.(interface{ IsBoolFlag() bool })
			if !hasVal && !(isBool && b.IsBoolFlag()) && i+1 < len(args) {
				i++
				own = append(own, args[i])
			}
			continue
		}
		needsNext, err := repatch.TestFlag(a)
		if err != nil {
			return nil, nil, err
		}
		testArgs = append(testArgs, a)
		if needsNext && i+1 < len(args) {
			i++
			testArgs = append(testArgs, args[i])
		}
	}
	return own, testArgs, nil
}
