// Nativecall is the program of the benchmark's native part: it measures
// the cost of a call of geom.(*Point).Move without end, one line per
// measurement of at least 200 ms, with its resident memory:
// "percall NS allocs N rss KB".
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"example.com/nativecall/geom"
)

func main() {
	p := &geom.Point{}
	for {
		ns, allocs := measure(p)
		fmt.Printf("percall %.3f allocs %.2f rss %d\n", ns, allocs, rssKB())
	}
}

// measure times calls of p.Move, doubling their number until they take
// 200 ms, and returns the time and the allocations per call. The time is
// the thread's CPU time where the system gives it (cputime_linux.go), so
// that the time the thread waits for a core on a loaded machine does not
// count.
func measure(p *geom.Point) (ns, allocs float64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for n := 1000; ; n *= 2 {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		start := now()
		for range n {
			p.Move(1)
		}
		d := now() - start
		runtime.ReadMemStats(&m1)
		if d >= 200*time.Millisecond {
			return float64(d.Nanoseconds()) / float64(n), float64(m1.Mallocs-m0.Mallocs) / float64(n)
		}
	}
}

// rssKB returns the process's resident memory (VmRSS), 0 when unknown.
func rssKB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			var kb int
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb
		}
	}
	return 0
}
