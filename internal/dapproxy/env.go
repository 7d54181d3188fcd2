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

// applyEnv sets the launch's env changes on the process (a nil value
// unsets) and returns a function that puts the old values back. Only the
// named variables change, so other goroutines (a go command reading PATH,
// say) never see an emptied environment. The caller holds envMu until it
// restores.
func applyEnv(changes map[string]*string) (restore func()) {
	type old struct {
		value string
		set   bool
	}
	saved := make(map[string]old, len(changes))
	for k, v := range changes {
		prev, ok := os.LookupEnv(k)
		saved[k] = old{prev, ok}
		if v != nil {
			os.Setenv(k, *v)
		} else {
			os.Unsetenv(k)
		}
	}
	return func() {
		for k, o := range saved {
			if o.set {
				os.Setenv(k, o.value)
			} else {
				os.Unsetenv(k)
			}
		}
	}
}

// withEnv runs f with the launch's env changes applied to the process, so
// a launch's env never leaks into livepatch beyond f.
func withEnv(changes map[string]*string, f func()) {
	envMu.Lock()
	defer envMu.Unlock()
	defer applyEnv(changes)()
	f()
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
