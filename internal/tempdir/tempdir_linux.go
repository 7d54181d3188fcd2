package tempdir

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// self returns the calling process as an owner.
func self() (owner, error) {
	start, err := startTime(os.Getpid())
	if err != nil {
		return owner{}, err
	}
	return owner{pid: os.Getpid(), start: start}, nil
}

// alive reports whether the process o still runs: a process with its id
// exists, is not a zombie, and started when o did. When that cannot be
// told, it reports true, so that nothing is removed.
func alive(o owner) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", o.pid))
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	state, start, ok := statFields(string(b))
	if !ok {
		return true
	}
	return state != "Z" && state != "X" && start == o.start
}

// startTime returns the start time of process pid, in clock ticks since
// boot, as /proc/PID/stat gives it.
func startTime(pid int) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", err
	}
	_, start, ok := statFields(string(b))
	if !ok {
		return "", fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return start, nil
}

// statFields returns the state (field 3) and start time (field 22) of a
// /proc/PID/stat line; the command name (field 2) may hold spaces and
// parentheses, so the fields are counted from its last ')'.
func statFields(stat string) (state, start string, ok bool) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return "", "", false
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 20 {
		return "", "", false
	}
	return f[0], f[19], true
}
