package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/go-delve/delve/pkg/logflags"
	"github.com/go-delve/delve/service/debugger"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/livepatch"
	"github.com/livepatch/livepatch/internal/prompt"
	"github.com/livepatch/livepatch/internal/tempdir"
)

func init() {
	register(&command{
		name:    "dap",
		usage:   "[--listen ADDR | --client-addr ADDR] [--log] [--log-output LIST] [--log-dest DEST]",
		summary: "serve the Debug Adapter Protocol (a drop-in for `dlv dap`)",
		help: `Dap starts a DAP server for one debug session, as 'dlv dap' does, with
livepatch's proxy in front of an embedded Delve. Editors launch it from their
usual Go debug configuration (see the README for VS Code, nvim-dap, dape,
Helix and Zed).

It listens on ADDR (default 127.0.0.1:0, loopback only unless told otherwise;
"unix:PATH" for a unix socket) and prints "DAP server listening at: ADDR" to
stdout, or to --log-dest when given. With --client-addr it dials the editor
instead. It serves one client and exits when that session ends or on
SIGINT/SIGTERM, stopping any program it launched.

With --only-same-user (the default) a client on this machine must be the
user running livepatch: a client of another user, or one whose user cannot
be verified (it has already closed its end, say), is refused, and dap exits
with an error without reading from it, as 'dlv dap' stops.

--check-go-version and --disable-aslr act as in 'dlv dap'. Delve's other
root flags (--headless, --accept-multiclient, --api-version, --backend,
--build-flags, --wd, ...) are accepted and ignored, as 'dlv dap' ignores
them; launch settings come from the launch request.`,
		run: runDAP,
	})
	flagSets["dap"] = func() *flag.FlagSet { fs, _ := dapFlags(); return fs }
}

type dapOptions struct {
	listen       string
	clientAddr   string
	log          logFlags
	checkGo      bool
	disableASLR  bool
	onlySameUser bool
}

func dapFlags() (*flag.FlagSet, *dapOptions) {
	o := &dapOptions{}
	fs := flag.NewFlagSet("dap", flag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "listen on `ADDR` (host:port or unix:PATH)")
	fs.StringVar(&o.listen, "l", "127.0.0.1:0", "shorthand for --listen")
	fs.StringVar(&o.clientAddr, "client-addr", "", "dial the DAP client at `ADDR` instead of listening")
	fs.BoolVar(&o.checkGo, "check-go-version", true, "refuse programs built by a Go version Delve does not support")
	fs.BoolVar(&o.disableASLR, "disable-aslr", false, "disable address space randomization of the debuggee")
	fs.BoolVar(&o.onlySameUser, "only-same-user", true, "accept connections only from the user running livepatch")
	o.log.register(fs)
	ignoreDelveFlags(fs)
	return fs, o
}

// ignoreDelveFlags accepts Delve's root flags that mean nothing to dap.
func ignoreDelveFlags(fs *flag.FlagSet) {
	var ignoredBool bool
	var ignoredString string
	for _, name := range []string{"headless", "accept-multiclient", "allow-non-terminal-interactive", "continue"} {
		fs.BoolVar(&ignoredBool, name, false, "ignored, as by dlv dap")
	}
	for _, name := range []string{"api-version", "backend", "build-flags", "wd", "init", "tty", "r", "redirect"} {
		if fs.Lookup(name) == nil {
			fs.StringVar(&ignoredString, name, "", "ignored, as by dlv dap")
		}
	}
}

func runDAP(ctx context.Context, env *Env, args []string) error {
	fs, o := dapFlags()
	if err := parse(env, commands["dap"], fs, args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	logs, err := o.log.setup()
	if err != nil {
		return err
	}
	defer logs.close()
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "Warning: program flags ignored with dap; specify via launch/attach request instead\n")
	}

	proxy := newProxy(logs, ProxyConfig{Debugger: debugger.Config{CheckGoVersion: o.checkGo, DisableASLR: o.disableASLR, Foreground: true}})

	var conn net.Conn
	if o.clientAddr != "" {
		conn, err = dial(o.clientAddr)
		if err != nil {
			return fmt.Errorf("dialing the DAP client: %w", err)
		}
	} else {
		ln, err := listen(o.listen)
		if err != nil {
			return fmt.Errorf("couldn't start listener: %w", err)
		}
		logflags.WriteDAPListeningMessage(ln.Addr())
		if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
			fmt.Fprintf(env.Stderr, "Warning: listening on %s, which is not loopback: anyone who can reach it can run code as you\n", tcp)
		}
		conn, err = accept(ctx, ln)
		ln.Close()
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
		if o.onlySameUser {
			// As dlv dap, a refused client ends the server: nothing of it is
			// read, and no other client is waited for.
			if err := checkSameUser(conn); err != nil {
				conn.Close()
				logs.get("dapproxy").Error("closing the connection", "err", err)
				return err
			}
		}
	}
	return proxy.Serve(ctx, conn)
}

// newProxy returns the proxy of `livepatch dap`, `debug` and `run`:
// NewProxy with cfg, the configured loggers and the prompt's time limit from
// LIVEPATCH_PROMPT_TIMEOUT (a Go duration such as "30s"), by default
// prompt.DefaultTimeout. It first removes the temporary directories of
// livepatch processes that were killed (tempdir.Sweep).
func newProxy(logs *loggers, cfg ProxyConfig) *dapproxy.Proxy {
	tempdir.Sweep()
	cfg.Log = logs.get
	if v := os.Getenv(promptTimeoutEnv); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			cfg.PromptTimeout = d
		} else {
			logs.get("prompt").Warn("ignoring a bad "+promptTimeoutEnv, "value", v)
		}
	}
	return NewProxy(cfg)
}

// ProxyConfig configures NewProxy. The zero value is the configuration of
// the commands with logging off, apart from Debugger's fields.
type ProxyConfig struct {
	// Debugger configures the embedded Delve; Backend is always "default".
	Debugger debugger.Config
	// Log returns the logger of a component: "dapproxy", "patcher",
	// "prompt" or "livepatch". Nil discards every log.
	Log func(component string) *slog.Logger
	// PromptTimeout limits a prompt input that runs in the target; 0 means
	// prompt.DefaultTimeout.
	PromptTimeout time.Duration
	// Quiet is the file watcher's quiet period after a write; 0 means
	// livepatch.DefaultQuiet.
	Quiet time.Duration
	// NoWatch turns the file watcher off.
	NoWatch bool
	// Restart rebuilds and restarts a program that runs without a
	// debugger after a save that cannot go live (livepatch.Options.Restart).
	Restart bool
	// NoNative turns the native tier off (livepatch.Options.NoNative).
	NoNative bool
}

// NewProxy returns a proxy with livepatch's builder and handlers, as every
// launch path of the commands sets it up: patchable builds (PatchBuilder),
// whose results reach the Go prompt and live patching; the Go prompt
// answering evaluate (context "repl") and completions, advertised in the
// capabilities; and live patching taking the declarations of program
// functions typed there, the saves of the user's files (watched from the
// launch on) and its own requests, with the agent's socket endpoint in each
// launched program's environment.
func NewProxy(cfg ProxyConfig) *dapproxy.Proxy {
	logOf := cfg.Log
	if logOf == nil {
		discard := slog.New(slog.DiscardHandler)
		logOf = func(string) *slog.Logger { return discard }
	}
	base := cfg.Debugger
	base.Backend = "default"
	pr := prompt.New(prompt.Options{Log: logOf("prompt"), Timeout: cfg.PromptTimeout})
	lp := livepatch.New(livepatch.Options{Prompt: pr, Log: logOf("livepatch"), Quiet: cfg.Quiet, NoWatch: cfg.NoWatch, Restart: cfg.Restart, NoNative: cfg.NoNative})
	px := dapproxy.New(dapproxy.Config{Debugger: base, Log: logOf("dapproxy"),
		Builder: PatchBuilder{Log: logOf("patcher"), Built: pr.UseBuild}, Capabilities: pr.Capabilities(), TargetEnv: lp.TargetEnv, Started: lp.Started})
	pr.Register(px)
	lp.Register(px)
	return px
}

// promptTimeoutEnv names the variable that sets the Go prompt's time limit.
const promptTimeoutEnv = "LIVEPATCH_PROMPT_TIMEOUT"

func listen(addr string) (net.Listener, error) {
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		return net.Listen("unix", path)
	}
	return net.Listen("tcp", addr)
}

func dial(addr string) (net.Conn, error) {
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		return net.Dial("unix", path)
	}
	return net.Dial("tcp", addr)
}

// accept waits for one client, or for ctx to end.
func accept(ctx context.Context, ln net.Listener) (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		ch <- result{c, err}
	}()
	select {
	case r := <-ch:
		return r.c, r.err
	case <-ctx.Done():
		ln.Close()
		return nil, ctx.Err()
	}
}
