// Package tempdir makes livepatch's private temporary directories (the
// build's output, the agent's socket) and removes those that a livepatch
// process which has since died left behind.
//
// A livepatch process removes its directories when it ends, but not when
// it is killed with SIGKILL (or crashes): no code of it runs then, and the
// program it launched, which the kernel kills with it, can run none
// either. Each directory therefore names its owner, in a file holding the
// owner's process id and start time, and the next livepatch process to
// start or to make a directory (Sweep, New) removes the directories whose
// owner is gone. The start time tells a reused process id apart. A
// directory without that file, or of another user, is never removed.
//
// Its functions are safe for concurrent use, also by several processes.
package tempdir

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Prefix starts the name of every directory New makes.
const Prefix = "livepatch-"

// ownerFile names the file in a directory that records its owner.
const ownerFile = ".owner"

// New sweeps (see Sweep), then creates a directory private to the user
// (mode 0700) under the system's temporary directory, named Prefix+kind+
// "-" and a random suffix, and records the calling process as its owner.
// The caller removes it when done with it.
func New(kind string) (string, error) {
	Sweep()
	dir, err := os.MkdirTemp("", Prefix+kind+"-")
	if err != nil {
		return "", fmt.Errorf("temporary directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("temporary directory: %w", err)
	}
	id, err := self()
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, ownerFile), []byte(id.String()+"\n"), 0o600)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("temporary directory: %w", err)
	}
	return dir, nil
}

// Sweep removes the directories under the system's temporary directory
// that New made in processes that have ended. Errors are ignored: a
// directory that cannot be read or removed is left as it is.
func Sweep() {
	tmp := os.TempDir()
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	uid := os.Getuid()
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), Prefix) {
			continue
		}
		dir := filepath.Join(tmp, e.Name())
		if !ownedBy(dir, uid) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue
		}
		id, err := parseOwner(strings.TrimSpace(string(b)))
		if err != nil || alive(id) {
			continue
		}
		os.RemoveAll(dir)
	}
}

// owner identifies a process: its id, and its start time where the system
// tells it (empty otherwise).
type owner struct {
	pid   int
	start string
}

func (o owner) String() string {
	if o.start == "" {
		return strconv.Itoa(o.pid)
	}
	return strconv.Itoa(o.pid) + " " + o.start
}

func parseOwner(s string) (owner, error) {
	pid, start, _ := strings.Cut(s, " ")
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 0 {
		return owner{}, fmt.Errorf("bad owner %q", s)
	}
	return owner{pid: n, start: start}, nil
}

// ownedBy reports whether dir is a directory of the user uid.
func ownedBy(dir string, uid int) bool {
	fi, err := os.Lstat(dir)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == uid && fi.IsDir()
}
