package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"
)

var sink int

// handshakeEnv, set to 1, makes the test binary print waitingLine and
// wait for a line on stdin before it runs anything, so that the benchmark
// program can patch functions through the agent (listening since the
// package's init) before the benchmarks start.
const (
	handshakeEnv = "PROLOGUE_HANDSHAKE"
	waitingLine  = "prologue: waiting"
)

func TestMain(m *testing.M) {
	if os.Getenv(handshakeEnv) == "1" {
		if err := handshake(os.Stdin, os.Stdout, time.Minute); err != nil {
			fmt.Fprintf(os.Stderr, "prologue: handshake: %v\n", err)
			os.Exit(2)
		}
	}
	os.Exit(m.Run())
}

// handshake writes waitingLine to w and waits, at most limit, for a line
// on r.
func handshake(r io.Reader, w io.Writer, limit time.Duration) error {
	if _, err := fmt.Fprintln(w, waitingLine); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		_, err := bufio.NewReader(r).ReadString('\n')
		done <- err
	}()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return errors.New("no go-ahead on stdin in time")
	}
}

func BenchmarkNop(b *testing.B) {
	for i := 0; i < b.N; i++ {
		nop()
	}
}

func BenchmarkAdd(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink = add(sink, i)
	}
}

func BenchmarkMethod(b *testing.B) {
	p := &Point{}
	for i := 0; i < b.N; i++ {
		p.Move(1)
	}
	sink = p.X
}

func BenchmarkValueMethod(b *testing.B) {
	p := Point{X: 1, Y: 2}
	for i := 0; i < b.N; i++ {
		sink += p.Sum()
	}
}

func BenchmarkPointerArg(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		x := i
		touch(&x)
		sink += x
	}
}
