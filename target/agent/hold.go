package agent

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// EnvHold, set in a target's environment together with EnvSocket and
// EnvToken, makes Start wait until the host sends wire.OpRelease, so that the
// host can patch the program before any of its code after that init runs
// (livepatch test patches every function before the first test). Its value
// is "1" for DefaultHold, or a duration such as "90s". The agent unsets it
// at start.
const EnvHold = "LIVEPATCH_AGENT_HOLD"

// DefaultHold is how long a held target waits for wire.OpRelease when EnvHold
// is "1".
var DefaultHold = 5 * time.Minute

// HoldingLine starts the line a held target writes to its stderr once its
// socket listens and it waits for wire.OpRelease; the host can dial then.
const HoldingLine = "livepatch agent: holding until released"

var (
	releaseOnce sync.Once
	released    = make(chan struct{})
)

// release ends the hold, if any; later calls do nothing.
func release() {
	releaseOnce.Do(func() { close(released) })
}

// holdLimit parses EnvHold's value: "" means no hold.
func holdLimit(v string) (time.Duration, error) {
	switch v {
	case "", "0":
		return 0, nil
	case "1":
		return DefaultHold, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want 1 or a positive duration", EnvHold, v)
	}
	return d, nil
}

// hold writes HoldingLine to stderr and waits for wire.OpRelease, at most
// limit; when the limit passes first it says so on stderr and returns, and
// the program runs unpatched by what did not arrive.
func hold(limit time.Duration) {
	fmt.Fprintf(os.Stderr, "%s (deadline %s)\n", HoldingLine, limit)
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-released:
	case <-t.C:
		fmt.Fprintf(os.Stderr, "livepatch agent: no release within %s: going on\n", limit)
	}
}
