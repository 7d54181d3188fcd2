package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for the counter command: with
// COUNTER_TEST_MAIN=1 in its environment it runs main instead of the tests,
// so TestProgram runs the real program without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("COUNTER_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func TestCounterConcurrent(t *testing.T) {
	c := NewCounter()
	const workers, each = 4, 100
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range each {
				c.Inc(fmt.Sprint("worker", w))
			}
		})
	}
	wg.Go(func() {
		for range each {
			c.Tick()
		}
	})
	wg.Wait()
	if got, want := c.Get(), workers*each+each; got != want {
		t.Errorf("Get() = %d, want %d", got, want)
	}
	if got, want := c.Tick(), fmt.Sprintf("tick %d: count=%d callers=%d", each+1, workers*each+each+1, workers); got != want {
		t.Errorf("Tick() = %q, want %q", got, want)
	}
}

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(NewHandler(NewCounter()))
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.Timeout = time.Until(deadline(t))

	for _, tc := range []struct {
		method, path string
		wantCode     int
		wantBody     string
	}{
		{"GET", "/", http.StatusOK, "count=0\n"},
		{"POST", "/inc", http.StatusOK, "count=1\n"},
		{"POST", "/inc", http.StatusOK, "count=2\n"},
		{"GET", "/", http.StatusOK, "count=2\n"},
		{"GET", "/inc", http.StatusMethodNotAllowed, ""},
		{"GET", "/nope", http.StatusNotFound, ""},
	} {
		req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s %s: read body: %v", tc.method, tc.path, err)
		}
		if resp.StatusCode != tc.wantCode {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, resp.StatusCode, tc.wantCode)
		}
		if tc.wantBody != "" && string(body) != tc.wantBody {
			t.Errorf("%s %s: body %q, want %q", tc.method, tc.path, body, tc.wantBody)
		}
	}
}

// TestProgram runs the command on a free port with a fast ticker, then checks
// that it serves POST /inc and prints ticker lines.
func TestProgram(t *testing.T) {
	ctx, cancel := context.WithDeadline(t.Context(), deadline(t))
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-addr", "127.0.0.1:0", "-tick", "10ms")
	cmd.Env = append(os.Environ(), "COUNTER_TEST_MAIN=1")
	cmd.WaitDelay = 5 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	var transcript strings.Builder
	var mu sync.Mutex
	defer func() {
		if t.Failed() {
			mu.Lock()
			t.Logf("program output:\n%s", transcript.String())
			mu.Unlock()
		}
	}()
	outLines, errLines := lines(stdout, &mu, &transcript), lines(stderr, &mu, &transcript)

	listening := regexp.MustCompile(`^counter: listening on (http://\S+)$`)
	var url string
	for url == "" {
		select {
		case l, ok := <-errLines:
			if !ok {
				t.Fatal("stderr closed before the listening line")
			}
			if m := listening.FindStringSubmatch(l); m != nil {
				url = m[1]
			}
		case <-ctx.Done():
			t.Fatal("timed out waiting for the listening line")
		}
	}

	client := &http.Client{Timeout: time.Until(deadline(t))}
	resp, err := client.Post(url+"/inc", "text/plain", nil)
	if err != nil {
		t.Fatalf("POST /inc: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !regexp.MustCompile(`^count=\d+\n$`).Match(body) {
		t.Fatalf("POST /inc: body %q, err %v; want count=N", body, err)
	}

	tick := regexp.MustCompile(`^\d\d:\d\d:\d\d tick \d+: count=\d+ callers=1$`)
	for {
		select {
		case l, ok := <-outLines:
			if !ok {
				t.Fatal("stdout closed before a tick line after POST /inc")
			}
			if tick.MatchString(l) {
				return
			}
		case <-ctx.Done():
			t.Fatal("timed out waiting for a tick line with callers=1")
		}
	}
}

// lines sends the lines of r on the returned channel, copying each one to
// transcript under mu, and closes the channel at EOF. Lines nobody receives
// are dropped once the channel's buffer is full, so the reader never blocks.
func lines(r io.Reader, mu *sync.Mutex, transcript *strings.Builder) <-chan string {
	ch := make(chan string, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			mu.Lock()
			transcript.WriteString(sc.Text() + "\n")
			mu.Unlock()
			select {
			case ch <- sc.Text():
			default:
			}
		}
	}()
	return ch
}

// deadline returns the test's deadline, or one minute from now when the test
// runs without -timeout.
func deadline(t *testing.T) time.Time {
	if d, ok := t.Deadline(); ok {
		return d.Add(-5 * time.Second)
	}
	return time.Now().Add(time.Minute)
}

// BenchmarkInc measures one compiled Inc, the baseline for a patched one.
func BenchmarkInc(b *testing.B) {
	c := NewCounter()
	for b.Loop() {
		c.Inc("bench")
	}
}
