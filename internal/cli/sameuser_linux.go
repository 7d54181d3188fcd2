package cli

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// checkSameUser refuses a connection unless it comes from the user running
// livepatch, as dlv's --only-same-user does by default. A peer on this host
// -- a unix socket, or TCP from a loopback or local address or to a loopback
// listener -- must be shown to be that user: when its owner cannot be told,
// as when it has already reset the connection and left the kernel's socket
// table, the connection is refused too. Only a TCP peer on another host,
// which can reach a listener on a non-loopback address the user chose (and
// was warned about), is let through unchecked.
func checkSameUser(c net.Conn) error {
	me := os.Getuid()
	uid, err := connUID(c)
	switch {
	case errors.Is(err, errRemotePeer):
		return nil
	case err != nil:
		return fmt.Errorf("refused a connection from %s: cannot verify that it is user %d: %w (see --only-same-user)", peerName(c), me, err)
	case uid != me:
		return fmt.Errorf("refused a connection from %s of user %d: only user %d may connect (see --only-same-user)", peerName(c), uid, me)
	}
	return nil
}

// errRemotePeer says a TCP peer is on another host, where its user cannot
// be asked.
var errRemotePeer = errors.New("the peer is on another host")

// connUID returns the user id of the process at the other end of c:
// SO_PEERCRED for unix sockets, the kernel's socket table for TCP. The error
// is errRemotePeer for a TCP peer on another host.
func connUID(c net.Conn) (int, error) {
	switch c := c.(type) {
	case *net.UnixConn:
		return unixPeerUID(c)
	case *net.TCPConn:
		remote := c.RemoteAddr().(*net.TCPAddr)
		local := c.LocalAddr().(*net.TCPAddr)
		for _, table := range tcpTables {
			if uid, ok := tcpOwner(table, remote, local); ok {
				return uid, nil
			}
		}
		if !local.IP.IsLoopback() && !isLocalIP(remote.IP) {
			return 0, errRemotePeer
		}
		return 0, fmt.Errorf("no live socket of the peer in %s", strings.Join(tcpTables, " or "))
	}
	return 0, fmt.Errorf("a %T has no known peer user", c)
}

func unixPeerUID(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("reading SO_PEERCRED: %w", err)
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, fmt.Errorf("reading SO_PEERCRED: %w", err)
	}
	if credErr != nil {
		return 0, fmt.Errorf("reading SO_PEERCRED: %w", credErr)
	}
	return int(cred.Uid), nil
}

// isLocalIP reports whether ip is loopback or an address of this host, or
// when the host's addresses cannot be listed.
func isLocalIP(ip net.IP) bool {
	if ip.IsLoopback() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return true
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}

func peerName(c net.Conn) string {
	if a := c.RemoteAddr(); a != nil && a.String() != "" && a.String() != "@" {
		return a.String()
	}
	return "a unix socket client"
}

// tcpTables are the kernel's TCP socket tables; an IPv4 peer may be in
// either (an IPv6 socket can connect to an IPv4 address).
var tcpTables = []string{"/proc/net/tcp", "/proc/net/tcp6"}

// Columns of a tcpTables line, split at blanks, and the state that is
// never a live socket.
const (
	tcpLocalCol   = 1
	tcpRemoteCol  = 2
	tcpStateCol   = 3
	tcpUIDCol     = 7
	tcpInodeCol   = 9
	tcpTimeWait   = "06"
	tcpMinColumns = tcpInodeCol + 1
)

// tcpOwner returns the owner of the live socket in table whose local end is
// peer and remote end is us. Entries of no live socket -- TIME_WAIT, or
// inode 0 such as a closed socket's FIN_WAIT2 leftover -- are skipped: the
// kernel shows uid 0 for them, which would pass for root.
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
		if len(fields) < tcpMinColumns || !sameAddr(fields[tcpLocalCol], peer) || !sameAddr(fields[tcpRemoteCol], us) {
			continue
		}
		if fields[tcpStateCol] == tcpTimeWait || fields[tcpInodeCol] == "0" {
			continue
		}
		if uid, err := strconv.Atoi(fields[tcpUIDCol]); err == nil {
			return uid, true
		}
	}
	return 0, false
}

// sameAddr compares a tcpTables address (hex IP as 32-bit words in host
// order, hex port) with a.
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
	if err != nil || (len(b) != net.IPv4len && len(b) != net.IPv6len) {
		return false
	}
	for i := 0; i < len(b); i += 4 {
		binary.NativeEndian.PutUint32(b[i:], binary.BigEndian.Uint32(b[i:]))
	}
	return net.IP(b).Equal(a.IP)
}
