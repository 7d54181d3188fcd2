package main

import "testing"

var sink int

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
