package hostlink

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// EnvHold, set in a target's environment together with agent.EnvSocket
// and agent.EnvToken, makes agent.Start wait until the host sends
// wire.OpRelease (Release), so that the
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

// Release ends the hold, if any; later calls do nothing.
func Release() {
	releaseOnce.Do(func() { close(released) })
}

// HoldLimit parses EnvHold's value: "" means no hold.
func HoldLimit(v string) (time.Duration, error) {
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

// Hold writes HoldingLine to stderr and waits for Release, at most
// limit; when the limit passes first it says so on stderr and returns, and
// the program runs unpatched by what did not arrive.
func Hold(limit time.Duration) {
	fmt.Fprintf(os.Stderr, "%s (deadline %s)\n", HoldingLine, limit)
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-released:
	case <-t.C:
		fmt.Fprintf(os.Stderr, "livepatch agent: no release within %s: going on\n", limit)
	}
}
