package patcher

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkPrologue measures the cost of an unpatched dispatch prologue per
// call: the bench fixture times calls of add(a, b int) and touch(p *int)
// with testing.Benchmark, built plainly (with -N -l, as a debug build) and
// patchably. It reports ns per call for both builds and their difference,
// and allocations per call of touch (its pointer parameter escapes in the
// instrumented build).
func BenchmarkPrologue(b *testing.B) {
	dir := fixture(b, "bench")
	res := patchable(b, "bench", Options{Dir: dir})
	plain := plainBinary(b, dir, nil, "-gcflags=all=-N -l")
	measure := func(bin string) (add, touch float64, allocs int) {
		out := run(b, bin, "-test.benchtime=200ms")
		for _, line := range strings.Split(out, "\n") {
			switch {
			case strings.HasPrefix(line, "add "):
				fmt.Sscanf(line, "add %g", &add)
			case strings.HasPrefix(line, "touch "):
				fmt.Sscanf(line, "touch %g %d", &touch, &allocs)
			}
		}
		if add == 0 || touch == 0 {
			b.Fatalf("cannot parse the output of %s:\n%s", bin, out)
		}
		return add, touch, allocs
	}
	var sums [6]float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pa, pt, pal := measure(plain)
		ia, it, ial := measure(res.Output)
		for j, v := range []float64{pa, ia, pt, it, float64(pal), float64(ial)} {
			sums[j] += v
		}
	}
	n := float64(b.N)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(sums[0]/n, "ns/add-plain")
	b.ReportMetric(sums[1]/n, "ns/add-instrumented")
	b.ReportMetric((sums[1]-sums[0])/n, "ns/add-overhead")
	b.ReportMetric(sums[2]/n, "ns/touch-plain")
	b.ReportMetric(sums[3]/n, "ns/touch-instrumented")
	b.ReportMetric(sums[4]/n, "allocs/touch-plain")
	b.ReportMetric(sums[5]/n, "allocs/touch-instrumented")
}
