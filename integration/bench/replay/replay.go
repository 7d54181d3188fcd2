// Package replay is the replay part of the bench program
// (integration/bench, issue 13): it downloads the published versions of a
// few servers, runs each older version under livepatch dap, saves the
// newer's changes into it one file at a time, judges the console's reports
// and probes the patched program against a fresh build. Bench runs it for
// one module; Tables renders its steps for the report.
package replay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/livepatch/livepatch/integration/bench/internal/benchkit"
)

// Options configures the replay part.
type Options struct {
	Pairs  int           // at most this many version pairs per module; 0: all
	Settle time.Duration // how long a save that has not been reported on is waited for
	Proxy  string        // GOPROXY for the downloads; "": the go command's own
	From   []string      // replay only the pairs that start at these versions; nil: all
}

// replayGrace is how long the console is watched for more output once a
// save has been reported on (notes follow "patched" lines, for instance).
const replayGrace = 300 * time.Millisecond

// serveTimeout bounds the wait for a started program to accept
// connections.
const serveTimeout = time.Minute

// Bench replays the published versions of m: for each pair of
// consecutive versions, it runs the older under livepatch and saves the
// newer's changes into it (see replayPair).
func Bench(ctx context.Context, m Module, o Options, logf func(format string, args ...any)) ([]Step, error) {
	dirs, err := downloadVersions(ctx, m, o.Proxy, logf)
	if err != nil {
		return nil, fmt.Errorf("replay: %s: %w", m.name, err)
	}
	work := filepath.Join(os.TempDir(), "livepatch-bench-replay-"+m.name)
	defer os.RemoveAll(work)
	var steps []Step
	for i := 0; i+1 < len(m.versions); i++ {
		if o.Pairs > 0 && i >= o.Pairs {
			break
		}
		from, to := m.versions[i], m.versions[i+1]
		if o.From != nil && !slices.Contains(o.From, from) {
			continue
		}
		st := replayPair(ctx, m, dirs[from], dirs[to], work, o, logf)
		st.Module, st.From, st.To = m.name, from, to
		logf("replay: %s %s -> %s: %s %s%s", m.name, from, to, st.Outcome, strings.Join(st.Reasons, ", "), st.likeText())
		steps = append(steps, st)
		if err := ctx.Err(); err != nil {
			return steps, err
		}
	}
	return steps, nil
}

// downloadVersions downloads m's versions with `go mod download` and
// returns their directories in the module cache, by version.
func downloadVersions(ctx context.Context, m Module, proxy string, logf func(format string, args ...any)) (map[string]string, error) {
	dirs := map[string]string{}
	for _, v := range m.versions {
		cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", m.path+"@"+v)
		cmd.Env = withProxy(proxy)
		out, err := cmd.Output()
		var info struct{ Dir, Error string }
		if jerr := json.Unmarshal(out, &info); jerr != nil || info.Error != "" || info.Dir == "" {
			return nil, fmt.Errorf("go mod download %s@%s: %s", m.path, v, strings.TrimSpace(info.Error+" "+errText(err)))
		}
		dirs[v] = info.Dir
	}
	logf("replay: %s: %d versions of %s in the module cache", m.name, len(m.versions), m.path)
	return dirs, nil
}

// withProxy returns this process's environment with GOPROXY set to proxy,
// or unset when proxy is "" (the go command's default).
func withProxy(proxy string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GOPROXY=") })
	if proxy != "" {
		env = append(env, "GOPROXY="+proxy)
	}
	return env
}

// errText is err's text with the command's stderr, or "".
func errText(err error) string {
	if err == nil {
		return ""
	}
	return benchkit.WithStderr(err).Error()
}

// replayPair replays the version pair whose module trees are fromDir and
// toDir: it skips a pair that changes go.mod's requirements or no Go file
// of the program; otherwise it copies fromDir to work, runs its program
// under livepatch, saves toDir's changes into work one file at a time, and
// judges the console's reports (see replaySession).
func replayPair(ctx context.Context, m Module, fromDir, toDir, work string, o Options, logf func(format string, args ...any)) (st Step) {
	start := time.Now()
	defer func() { st.Seconds = time.Since(start).Seconds() }()
	skip := func(why string) Step { return Step{Outcome: outcomeSkipped, Skipped: why} }
	fail := func(err error) Step { return Step{Outcome: outcomeFailed, Failures: []string{err.Error()}} }
	modA, errA := goMod(fromDir, m.path)
	modB, errB := goMod(toDir, m.path)
	if err := errors.Join(errA, errB); err != nil {
		return fail(err)
	}
	if req, err := requirementChanges(modA, modB); err != nil || req != "" {
		return skip("dependency change: " + req + errText(err))
	}
	changes, err := diffTrees(fromDir, toDir)
	if err != nil {
		return fail(err)
	}
	if err := prepareWork(ctx, fromDir, work, o.Proxy, modA); err != nil {
		return fail(err)
	}
	if err := writeDriver(m, work); err != nil {
		return fail(err)
	}
	linked, err := linkedDirs(ctx, work, m.pkg)
	if err != nil {
		return fail(err)
	}
	saves, others := splitSaves(changes, linked)
	if len(saves) == 0 {
		return skip("no change to the program's Go code")
	}
	st, err = replaySession(ctx, m, work, toDir, saves, others, o)
	if err != nil {
		st.Outcome, st.Failures = outcomeFailed, append(st.Failures, err.Error())
		return st
	}
	if st.probes != nil {
		if err := compareFresh(ctx, m, work, &st); err != nil {
			st.Failures = append(st.Failures, "fresh build: "+err.Error())
		}
	}
	return st
}

// goMod returns the go.mod of the module tree dir of module path, or the
// one the go command gives a version published without a go.mod
// (websocket v1.4.0): the module's path alone.
func goMod(dir, path string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if errors.Is(err, fs.ErrNotExist) {
		return []byte("module " + path + "\n"), nil
	}
	return b, err
}

// prepareWork replaces work with a writable copy of the module tree dir
// (the module cache is read-only), with mod as its go.mod, and downloads
// its dependencies.
func prepareWork(ctx context.Context, dir, work, proxy string, mod []byte) error {
	if err := os.RemoveAll(work); err != nil {
		return err
	}
	if err := benchkit.CopyTree(dir, work); err != nil {
		return fmt.Errorf("copying %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(work, "go.mod"), mod, 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download")
	cmd.Dir, cmd.Env = work, withProxy(proxy)
	if _, err := cmd.Output(); err != nil {
		return fmt.Errorf("go mod download: %w", benchkit.WithStderr(err))
	}
	return nil
}

// linkedDirs returns the directories, relative to the module's root and
// slash-separated, of the module's own packages that its package pkg links.
func linkedDirs(ctx context.Context, root, pkg string) (map[string]bool, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f", `{{if .Module}}{{if .Module.Main}}{{.Dir}}{{end}}{{end}}`, pkg)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %w", pkg, benchkit.WithStderr(err))
	}
	dirs := map[string]bool{}
	for d := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		if rel, err := filepath.Rel(root, d); err == nil && d != "" {
			dirs[filepath.ToSlash(rel)] = true
		}
	}
	return dirs, nil
}

// writeChange makes c's file in work what it is in toDir: written, or
// removed.
func writeChange(c fileChange, toDir, work string) error {
	dst := filepath.Join(work, filepath.FromSlash(c.rel))
	if c.kind == removed {
		return os.Remove(dst)
	}
	b, err := os.ReadFile(filepath.Join(toDir, filepath.FromSlash(c.rel)))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// programPort returns the port m's program is to listen on: a free one,
// or m.port once nothing listens there (the previous program of the
// replay, or the fresh build, may still be closing it).
func programPort(ctx context.Context, m Module) (int, error) {
	if m.port == 0 {
		return freePort()
	}
	ctx, cancel := context.WithTimeout(ctx, serveTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ln, err := net.Listen("tcp", fmt.Sprintf(":%d", m.port))
		if err == nil {
			return m.port, ln.Close()
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("port %d of %s stays in use: %w", m.port, m.name, err)
		case <-tick.C:
		}
	}
}

// waitServing waits until something accepts connections on port, for at
// most serveTimeout, or until exited is closed.
func waitServing(ctx context.Context, port int, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, serveTimeout)
	defer cancel()
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(port))
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var d net.Dialer
		if c, err := d.DialContext(ctx, "tcp", addr); err == nil {
			c.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("nothing listens on %s after %v", addr, serveTimeout)
		case <-exited:
			return errors.New("the program exited before it listened")
		case <-tick.C:
		}
	}
}
