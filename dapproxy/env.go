package dapproxy

import (
	"os"
	"strings"
	"sync"
)

// envMu serializes the moments when a launch's environment is applied to
// this process: Delve starts the debuggee with the process environment and
// has no other way to pass one.
var envMu sync.Mutex

// withEnv runs f with the process environment replaced by env, then puts the
// old environment back, so a launch's env never leaks into livepatch.
func withEnv(env []string, f func()) {
	envMu.Lock()
	defer envMu.Unlock()
	old := os.Environ()
	setEnviron(env)
	defer setEnviron(old)
	f()
}

func setEnviron(env []string) {
	os.Clearenv()
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && k != "" {
			os.Setenv(k, v)
		}
	}
}

// mergeEnv applies a launch request's env to base: a nil value unsets.
func mergeEnv(base []string, changes map[string]*string) []string {
	if len(changes) == 0 {
		return base
	}
	out := make([]string, 0, len(base)+len(changes))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, changed := changes[k]; !changed {
			out = append(out, kv)
		}
	}
	for k, v := range changes {
		if v != nil {
			out = append(out, k+"="+*v)
		}
	}
	return out
}

func environ() []string { return os.Environ() }
