package repatch

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitTestFlags(t *testing.T) {
	bin, build, err := splitTestFlags([]string{"-run", "TestX", "-short", "-count=2", "-v", "-tags", "dev", "--failfast"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-test.run=TestX", "-test.short", "-test.count=2", "-test.failfast"}; !reflect.DeepEqual(bin, want) {
		t.Errorf("binary flags: got %q, want %q", bin, want)
	}
	if want := []string{"-tags=dev"}; !reflect.DeepEqual(build, want) {
		t.Errorf("build flags: got %q, want %q", build, want)
	}
	for _, bad := range [][]string{{"-race"}, {"-run"}, {"pkg"}} {
		if _, _, err := splitTestFlags(bad); err == nil {
			t.Errorf("splitTestFlags(%q) succeeded", bad)
		}
	}
}

func TestReadEvents(t *testing.T) {
	const stream = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"--- SKIP: TestB\n"}
{"Action":"skip","Package":"p","Test":"TestB"}
{"Action":"run","Package":"p","Test":"TestC"}
{"Action":"output","Package":"p","Test":"TestC","Output":"panic: boom\n"}
{"Action":"fail","Package":"p"}
`
	res, err := readEvents(strings.NewReader(stream), "p")
	if err != nil {
		t.Fatal(err)
	}
	r := res["p"]
	if r == nil || r.Passed != 1 || r.Skipped != 1 || r.Failed != 1 {
		t.Fatalf("got %+v, want 1 passed, 1 skipped, 1 failed (TestC died running)", r)
	}
	if !strings.Contains(r.FailOutput["TestC"], "panic: boom") {
		t.Errorf("TestC's output: got %q", r.FailOutput["TestC"])
	}
	native := Results{Tests: map[string]string{"TestA": "pass", "TestB": "pass", "TestC": "pass"}}
	if got, want := regressions(native, *r), []string{"TestB", "TestC"}; !reflect.DeepEqual(got, want) {
		t.Errorf("regressions: got %q, want %q", got, want)
	}
}

func TestGroup(t *testing.T) {
	for msg, want := range map[string]string{
		"a.go:3:9: undefined: min": "undefined: min",
		"3:9: cannot range over f (variable of type func(yield func(int) bool))": "range over func",
		"generic function": "generic code",
		"x.go:1:2: y has type T, which the Go prompt cannot name (a type declared inside a function, or generic)":    "a type the rewriter cannot name",
		"a.go:9:3: a function literal deferred in a loop that assigns i, a variable of the iteration: ...":           "function literal deferred in a loop",
		"a.go:9:3: a deferred function that recovers, in a function that defers inside a range over a function: ...": "recover deferred beside a defer in a range over func",
		"a.go:2:14: a parameter or result of a type holding iter.Seq[int]: ...":                                      "iter type inside a signature's type",
	} {
		if got := group(msg); got != want {
			t.Errorf("group(%q): got %q, want %q", msg, got, want)
		}
	}
}
