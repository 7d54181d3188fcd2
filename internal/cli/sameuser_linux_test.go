package cli

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestConnUIDSameUser(t *testing.T) {
	for _, network := range []string{"tcp", "tcp6", "unix"} {
		t.Run(network, func(t *testing.T) {
			addr := "127.0.0.1:0"
			switch network {
			case "tcp6":
				addr = "[::1]:0"
			case "unix":
				addr = t.TempDir() + "/s"
			}
			ln, err := net.Listen(network, addr)
			if err != nil {
				t.Skipf("cannot listen on %s here: %v", network, err)
			}
			defer ln.Close()
			client, err := net.Dial(network, ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			server, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer server.Close()
			uid, ok := connUID(server)
			if !ok || uid != os.Getuid() {
				t.Errorf("connUID = %d, %v; want %d, true", uid, ok, os.Getuid())
			}
			if err := checkSameUser(server); err != nil {
				t.Errorf("checkSameUser refused our own connection: %v", err)
			}
		})
	}
}

// TestConnUIDOtherUser connects from a process running as another user and
// checks the connection is refused.
func TestConnUIDOtherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("needs bash for its /dev/tcp client")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	// The client holds the connection open until its stdin closes.
	cmd := exec.Command(bash, "-c", "exec 3<>/dev/tcp/127.0.0.1/"+port+"; read -r _")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	err = checkSameUser(server)
	if err == nil || !strings.Contains(err.Error(), "user 65534") {
		t.Errorf("checkSameUser = %v, want a refusal naming user 65534", err)
	}
}
