package layers

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const module = "github.com/livepatch/livepatch"

// Groups of packages that rules refer to, by import path prefix.
var (
	delve      = []string{"github.com/go-delve/delve"}
	delveDAP   = []string{"github.com/go-delve/delve/service/dap"}
	yaegi      = []string{"github.com/traefik/yaegi"}
	xtools     = []string{"golang.org/x/tools"}
	godap      = []string{"github.com/google/go-dap"}
	ourHost    = []string{module + "/internal/"}
	everything = []string{""}
	tempdirPkg = []string{module + "/internal/tempdir"}
)

// rule says that pkg must not depend on any package matched by never,
// except those matched by allow (std is allowed unless stdOnly is false).
type rule struct {
	pkg    string
	never  [][]string
	allow  [][]string
	reason string
}

var rules = []rule{
	// go list -deps is transitive: the rule holds for the agent's
	// sub-packages (target/agent/bintypes, fmtvalue, hostlink, ifacewrap, side, stdgeneric, wire) too.
	{pkg: "target/agent", never: [][]string{everything}, allow: [][]string{yaegi, {module + "/target/agent/"}},
		reason: "the agent is linked into the user's program: only the standard library, yaegi and its own sub-packages (ARCHITECTURE decision 5)"},
	{pkg: "target/agent/bintypes", never: [][]string{everything}, allow: [][]string{yaegi},
		reason: "the rewriting for compiled types works on a snippet and the types it is given: the standard library and yaegi, not the agent back"},
	{pkg: "target/agent/hostlink", never: [][]string{everything},
		reason: "the agent's ties to the host process (lifetime, log fifo, hold): the standard library only, so that the host can name them without linking the agent"},
	{pkg: "target/agent/fmtvalue", never: [][]string{everything}, allow: [][]string{yaegi},
		reason: "it is given to the interpreter as a package: the standard library and yaegi, not the agent back"},
	{pkg: "target/agent/side", never: [][]string{everything}, allow: [][]string{yaegi},
		reason: "the side table is given to the interpreter as a package: the standard library and yaegi, not the agent back"},
	{pkg: "target/agent/wire", never: [][]string{everything},
		reason: "the protocol the host and the agent share: the standard library only, so that speaking to the agent links neither the agent nor yaegi"},
	{pkg: "target", never: [][]string{everything},
		reason: "it only carries the agent's source and writes it as a module"},
	{pkg: "dapclient", never: [][]string{everything}, allow: [][]string{godap},
		reason: "a DAP client anyone can use: the standard library and go-dap"},
	{pkg: "internal/replsyntax", never: [][]string{everything},
		reason: "line-based clients use it: the standard library only"},
	{pkg: "internal/terminal", never: [][]string{delve, yaegi, xtools},
		reason: "the terminal client is a DAP client like any editor: no debugger, interpreter or type checker"},
	{pkg: "internal/patcher", never: [][]string{delve, godap, ourHost}, allow: [][]string{{module + "/internal/usermod"}, {module + "/internal/patcher/"}},
		reason: "the builder knows nothing of debugging; of livepatch's host packages it needs only the user's modules (internal/usermod) and its own sub-packages"},
	{pkg: "internal/patcher/naming", never: [][]string{everything},
		reason: "what generated code can name is a question of go/types alone: the standard library only"},
	{pkg: "internal/patcher/wrappers", never: [][]string{delve, godap, xtools, ourHost}, allow: [][]string{{module + "/internal/patcher/naming"}},
		reason: "the interface wrappers are written from type information: no debugger, DAP or package loading, of livepatch only naming (and target, for the agent's import path)"},
	{pkg: "internal/usermod", never: [][]string{delve, godap, ourHost},
		reason: "the user's modules and the agent module's plumbing: no debugger, no DAP, no other livepatch host package"},
	{pkg: "internal/change", never: [][]string{delve, godap, {module + "/internal/dapproxy"}, {module + "/internal/change/frame"}},
		reason: "checking and rewriting a change needs the build's type information, not the debugger, DAP or the proxy; the prompt-input checking (change/frame) builds on it, not it on that"},
	{pkg: "internal/change/classify", never: [][]string{delve, godap, {module + "/internal/dapproxy"}, {module + "/internal/change"}, {module + "/internal/rewrite"}, yaegi},
		allow:  [][]string{{module + "/internal/change/diag"}},
		reason: "the classification of a save compares declarations as written and reads the build's manifest through classify.Build: no debugger, DAP, proxy, rewriter or interpreter, and not package change, which builds on it"},
	{pkg: "internal/change/diag", never: [][]string{everything},
		reason: "diagnostics are values that every checking package and its clients share: the standard library only"},
	{pkg: "internal/change/frame", never: [][]string{delve, godap, {module + "/internal/dapproxy"}, {module + "/internal/agentclient"}},
		reason: "checking a prompt input in a frame's scope needs the build's type information (change.Program), not the debugger, DAP, the proxy or the channels to the agent: the REPL finds the frame"},
	{pkg: "internal/rewrite", never: [][]string{delve, godap, {module + "/internal/dapproxy"}, {module + "/internal/change"}},
		reason: "the rewriter turns a checked input into yaegi source: it needs the type information, not the debugger, DAP, the proxy or the checker"},
	{pkg: "internal/rewrite/lower", never: [][]string{everything},
		reason: "the control-flow lowering works on the syntax and type information and writes through the rewriter's lower.Host: the standard library only (no Delve, DAP, proxy, checker, nor the rewriter back)"},
	{pkg: "internal/rewrite/workaround", never: [][]string{everything}, allow: [][]string{{module + "/internal/patcher/naming"}},
		reason: "the statement workarounds work on the syntax and type information and write through the rewriter's workaround.Host: the standard library and what generated code can name (patcher/naming), nor the rewriter back"},
	{pkg: "internal/native", never: [][]string{delve, godap, {module + "/internal/dapproxy"}, {module + "/internal/agentclient"}, {module + "/internal/livepatch"}, {module + "/internal/prompt"}},
		reason: "the native tier writes and builds a plugin from a checked change (change.Checked): no debugger, DAP, proxy or channels to the agent; live patching sends its result"},
	{pkg: "internal/repatch", never: [][]string{delveDAP},
		reason: "the fidelity runner runs no debug session"},
	{pkg: "internal/tempdir", never: [][]string{everything},
		reason: "private temporary directories and their removal after a killed livepatch: the standard library only, so that every host package may use it"},
	{pkg: "internal/dapproxy", never: [][]string{yaegi, xtools, ourHost}, allow: [][]string{tempdirPkg},
		reason: "the proxy is generic: livepatch extends it through Handle, Builder and Capabilities"},
	{pkg: "internal/agentclient", never: [][]string{delveDAP, xtools, ourHost}, allow: [][]string{tempdirPkg},
		reason: "the channels to the agent need the debugger's calls, not the DAP server or the type checker"},
}

// TestLayers checks every rule against the dependencies go list reports.
func TestLayers(t *testing.T) {
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			deps := dependencies(t, module+"/"+r.pkg)
			for _, d := range deps {
				if d.std || d.path == module+"/"+r.pkg || strings.HasPrefix(d.path, module+"/"+r.pkg+"/internal/") {
					continue
				}
				if matches(d.path, r.never) && !matches(d.path, r.allow) {
					t.Errorf("%s depends on %s; %s", r.pkg, d.path, r.reason)
				}
			}
		})
	}
}

func matches(path string, groups [][]string) bool {
	for _, g := range groups {
		for _, prefix := range g {
			if strings.HasPrefix(path, prefix) {
				return true
			}
		}
	}
	return false
}

type dep struct {
	path string
	std  bool
}

// dependencies lists pkg and every package it depends on.
func dependencies(t *testing.T, pkg string) []dep {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", pkg)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	var deps []dep
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, std, _ := strings.Cut(line, " ")
		deps = append(deps, dep{path, std == "true"})
	}
	if len(deps) == 0 {
		t.Fatalf("go list %s printed no packages", pkg)
	}
	return deps
}
