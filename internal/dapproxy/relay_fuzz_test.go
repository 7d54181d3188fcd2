package dapproxy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-dap"
)

// refuseBuilder fails every build: the fuzzer must not start programs.
type refuseBuilder struct{}

func (refuseBuilder) Build(context.Context, BuildRequest, io.Writer) error {
	return errors.New("builds are off while fuzzing")
}

// FuzzRelay feeds arbitrary client streams to a proxy in front of a real
// Delve DAP session and checks that the proxy never panics or hangs, and
// that everything it sends is framed DAP with seq counting up from 1.
func FuzzRelay(f *testing.F) {
	f.Add([]byte("Content-Length: 2\r\n\r\n{}"))
	f.Add([]byte("Content-Length: 119\r\n\r\n" + `{"seq":1,"type":"request","command":"initialize","arguments":{"adapterID":"go","pathFormat":"path","linesStartAt1":true}}`))
	f.Add([]byte("Content-Length: 44\r\n\r\n" + `{"seq":1,"type":"request","command":"threads"}` + "Content-Length: x\r\n\r\n"))
	f.Add([]byte("Content-Length: 10\r\n\r\n{\"seq\":1,\""))
	f.Add([]byte("Content-Length: 30\r\n\r\n" + `{"seq":4,"type":"response","request_seq":1}`))
	f.Add([]byte("garbage\r\n\r\n"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		// Never let fuzzed input attach to or launch real processes.
		if bytes.Contains(stream, []byte("attach")) || bytes.Contains(stream, []byte("launch")) ||
			bytes.Contains(stream, []byte("restart")) {
			t.Skip("input could start or attach to a process")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		client, server := socketPair(t)
		served := make(chan error, 1)
		go func() { served <- New(Config{Builder: refuseBuilder{}}).Serve(ctx, server) }()
		go func() {
			client.Write(stream)
			client.CloseWrite() // the proxy reads EOF after the stream
		}()
		client.SetReadDeadline(time.Now().Add(15 * time.Second))
		r := bufio.NewReader(client)
		next := 1
		for {
			content, err := dap.ReadBaseMessage(r)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal("proxy kept the connection open after the client's stream ended")
			}
			if err != nil {
				break
			}
			m, err := parseMessage(content)
			if err != nil {
				t.Fatalf("proxy sent an invalid message: %v\n%s", err, content)
			}
			if m.Seq != next {
				t.Fatalf("seq %d, want %d", m.Seq, next)
			}
			next++
		}
		client.Close()
		select {
		case <-served:
		case <-ctx.Done():
			t.Fatal("proxy did not stop after the client closed")
		}
	})
}

// socketPair returns two connected unix stream sockets, which unlike
// net.Pipe can be half-closed.
func socketPair(t *testing.T) (client, server *net.UnixConn) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "socketpair")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c.(*net.UnixConn)
	}
	return conn(fds[0]), conn(fds[1])
}
