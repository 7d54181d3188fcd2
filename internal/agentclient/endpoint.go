package agentclient

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/livepatch/livepatch/internal/tempdir"
	"github.com/livepatch/livepatch/target/agent"
	"github.com/livepatch/livepatch/target/agent/hostlink"
)

// Endpoint is where a target's agent will listen: a socket path inside a
// private directory (mode 0700) and a random token.
type Endpoint struct {
	Dir   string // private directory holding the socket
	Path  string // socket path
	Token string // secret a client presents first

	log   *os.File // the read end of the agents' log (agentlog.go)
	logMu sync.Mutex
	onLog func(LogRecord)
}

// NewEndpoint creates a private directory under the system's temporary
// directory (internal/tempdir, which removes it after a livepatch that was
// killed) with the fifo of the agents' log, which it reads from then on
// (FollowLog), and a fresh token. Remove deletes the directory.
func NewEndpoint() (*Endpoint, error) {
	dir, err := tempdir.New("agent")
	if err != nil {
		return nil, fmt.Errorf("agent endpoint: %w", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("agent endpoint: %w", err)
	}
	log, err := openLog(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("agent endpoint: %w", err)
	}
	e := &Endpoint{Dir: dir, Path: filepath.Join(dir, "agent.sock"), Token: hex.EncodeToString(b), log: log}
	go e.readLog()
	return e, nil
}

// Env returns the environment entries that make the target's agent listen
// on e and end the target with this process (hostlink.EnvHost: the target
// must be a child of this process, as the embedded debugger launches it);
// add them to the target's environment only.
func (e *Endpoint) Env() []string {
	return []string{agent.EnvSocket + "=" + e.Path, agent.EnvToken + "=" + e.Token,
		hostlink.EnvHost + "=" + strconv.Itoa(os.Getpid())}
}

// Dial connects to the agent listening on e.
func (e *Endpoint) Dial(ctx context.Context) (*SocketClient, error) {
	return Dial(ctx, e.Path, e.Token)
}

// Remove deletes the endpoint's directory, socket and log, and ends
// FollowLog.
func (e *Endpoint) Remove() error {
	if e.log != nil {
		e.log.Close()
	}
	return os.RemoveAll(e.Dir)
}
