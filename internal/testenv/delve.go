package testenv

import (
	"net"
	"testing"

	"github.com/go-delve/delve/service"
	"github.com/go-delve/delve/service/dap"
	"github.com/go-delve/delve/service/debugger"
)

// Delve is Delve's own DAP server, run in this process on a loopback port
// the way `dlv dap` runs it, with a connection to it.
type Delve struct {
	// Conn is the client's end of the connection; the test closes it.
	Conn net.Conn
	// Disconnected is closed when the server has ended its session.
	Disconnected <-chan struct{}
}

// StartDelve starts Delve's DAP server with the debugger configuration cfg
// and connects to it. The server is stopped when the test ends, after the
// cleanups the test registers later have run.
func StartDelve(t testing.TB, cfg debugger.Config) *Delve {
	t.Helper()
	d, stop, err := ServeDelve(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return d
}

// ServeDelve is StartDelve for code that runs without a test (a test
// binary run as a child process): the caller stops the server with stop.
func ServeDelve(cfg debugger.Config) (d *Delve, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	disconnected := make(chan struct{})
	srv := dap.NewServer(&service.Config{
		Listener:       l,
		DisconnectChan: disconnected,
		Debugger:       cfg,
	})
	srv.Run()
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		srv.Stop()
		return nil, nil, err
	}
	return &Delve{Conn: conn, Disconnected: disconnected}, srv.Stop, nil
}
