// Command bench measures the cost of calls to small functions; built plainly
// and patchably, it shows the cost of an unpatched dispatch prologue.
package main

import (
	"flag"
	"fmt"
	"testing"
)

func add(a, b int) int { return a + b }

func touch(p *int) { *p++ }

var sink int

func main() {
	testing.Init()
	flag.Parse()
	perCall := func(r testing.BenchmarkResult) float64 {
		return float64(r.T.Nanoseconds()) / float64(r.N)
	}
	r := testing.Benchmark(func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sink = add(sink, i)
		}
	})
	fmt.Printf("add %.3f\n", perCall(r))
	r = testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			x := i
			touch(&x)
			sink += x
		}
	})
	fmt.Printf("touch %.3f %d\n", perCall(r), r.AllocsPerOp())
}
