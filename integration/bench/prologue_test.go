package main

import "testing"

func TestParseBench(t *testing.T) {
	out := []byte(`goos: linux
goarch: amd64
pkg: example.com/prologue
cpu: Some CPU
BenchmarkAdd-2          	100000000	         3.512 ns/op	       0 B/op	       0 allocs/op
BenchmarkPointerArg-2   	50000000	        21.25 ns/op	       8 B/op	       1 allocs/op
PASS
`)
	got, err := parseBench(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []benchLine{{"Add", 3.512, 0}, {"PointerArg", 21.25, 1}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := parseBench([]byte("PASS\n")); err == nil {
		t.Error("parseBench accepted output without results")
	}
}
