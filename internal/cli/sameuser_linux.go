package cli

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// connUID returns the user id of the process at the other end of a local
// connection: SO_PEERCRED for unix sockets, the kernel's socket table for
// loopback TCP. ok is false when it cannot be told.
func connUID(c net.Conn) (uid int, ok bool) {
	switch c := c.(type) {
	case *net.UnixConn:
		raw, err := c.SyscallConn()
		if err != nil {
			return 0, false
		}
		var cred *unix.Ucred
		raw.Control(func(fd uintptr) {
			cred, err = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
		})
		if err != nil {
			return 0, false
		}
		return int(cred.Uid), true
	case *net.TCPConn:
		remote := c.RemoteAddr().(*net.TCPAddr)
		local := c.LocalAddr().(*net.TCPAddr)
		for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
			if uid, ok := tcpOwner(table, remote, local); ok {
				return uid, true
			}
		}
	}
	return 0, false
}

// tcpOwner finds the socket whose local end is peer and remote end is us.
func tcpOwner(table string, peer, us *net.TCPAddr) (int, bool) {
	f, err := os.Open(table)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 {
			continue
		}
		if sameAddr(fields[1], peer) && sameAddr(fields[2], us) {
			uid, err := strconv.Atoi(fields[7])
			return uid, err == nil
		}
	}
	return 0, false
}

// sameAddr compares a /proc/net/tcp address (hex IP in host order, hex
// port) with a.
func sameAddr(field string, a *net.TCPAddr) bool {
	ipHex, portHex, ok := strings.Cut(field, ":")
	if !ok {
		return false
	}
	port, err := strconv.ParseUint(portHex, 16, 16)
	if err != nil || int(port) != a.Port {
		return false
	}
	b, err := hex.DecodeString(ipHex)
	if err != nil {
		return false
	}
	// Each 32-bit word is in host (little-endian) order.
	for i := 0; i+4 <= len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	ip := net.IP(b)
	return ip.Equal(a.IP) || (a.IP.To4() != nil && ip.To4() != nil && ip.To4().Equal(a.IP.To4()))
}

// checkSameUser refuses a connection from another user of this machine, as
// dlv's --only-same-user does by default.
func checkSameUser(c net.Conn) error {
	uid, ok := connUID(c)
	if !ok {
		return nil // not local, or not knowable: the listen address decides
	}
	if uid != os.Getuid() {
		return fmt.Errorf("refused a connection from user %d: only user %d may connect (see --only-same-user)", uid, os.Getuid())
	}
	return nil
}
