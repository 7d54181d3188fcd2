package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/livepatch/livepatch/internal/testenv"
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
			uid, err := connUID(server)
			if err != nil || uid != os.Getuid() {
				t.Errorf("connUID = %d, %v; want %d, nil", uid, err, os.Getuid())
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

// TestCheckSameUserPeerGone is the race of issue 11: a peer sends a request
// and resets the connection (SO_LINGER {1, 0}) before the server checks it,
// so its socket has left the kernel's table and its owner cannot be told.
// The connection must be refused although the peer was this very user.
func TestCheckSameUserPeerGone(t *testing.T) {
	for _, network := range []string{"tcp", "tcp6"} {
		t.Run(network, func(t *testing.T) {
			addr := "127.0.0.1:0"
			if network == "tcp6" {
				addr = "[::1]:0"
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
			server, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer server.Close()
			request := "Content-Length: 2\r\n\r\n{}"
			if _, err := client.Write([]byte(request)); err != nil {
				t.Fatal(err)
			}
			if err := client.(*net.TCPConn).SetLinger(0); err != nil {
				t.Fatal(err)
			}
			client.Close()
			// The request can still be read; the reset then says the peer is
			// gone, before anything is checked.
			server.SetReadDeadline(testenv.Deadline(t))
			got, err := io.ReadAll(server)
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("reading from the reset connection: %v, want %v", err, syscall.ECONNRESET)
			}
			if string(got) != request {
				t.Errorf("read %q before the reset, want %q", got, request)
			}
			err = checkSameUser(server)
			if err == nil || !strings.Contains(err.Error(), "cannot verify") {
				t.Errorf("checkSameUser = %v, want a refusal saying the user cannot be verified", err)
			}
		})
	}
}

// TestTCPOwnerSkipsDeadEntries checks that entries of the socket table that
// belong to no live socket -- TIME_WAIT, or inode 0 such as a FIN_WAIT2
// leftover -- are not taken as the peer's owner: the kernel shows them as
// uid 0, which would pass for root.
func TestTCPOwnerSkipsDeadEntries(t *testing.T) {
	peer := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 0x9c40}
	us := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 0x1f90}
	const header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	entry := func(state string, uid, inode int) string {
		return fmt.Sprintf("   0: 0100007F:9C40 0100007F:1F90 %s 00000000:00000000 00:00000000 00000000 %5d        0 %d 1 0000000000000000 20 4 30 10 -1\n", state, uid, inode)
	}
	for _, tc := range []struct {
		name    string
		entries string
		uid     int
		ok      bool
	}{
		{"established", entry("01", 1000, 4242), 1000, true},
		{"time_wait", entry("06", 0, 0), 0, false},
		{"fin_wait2 leftover", entry("05", 0, 0), 0, false},
		{"time_wait before a live entry", entry("06", 0, 0) + entry("01", 1000, 4242), 1000, true},
		{"none", "", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			table := filepath.Join(t.TempDir(), "tcp")
			if err := os.WriteFile(table, []byte(header+tc.entries), 0o644); err != nil {
				t.Fatal(err)
			}
			uid, ok := tcpOwner(table, peer, us)
			if uid != tc.uid || ok != tc.ok {
				t.Errorf("tcpOwner = %d, %v; want %d, %v", uid, ok, tc.uid, tc.ok)
			}
		})
	}
}
