package change

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/livepatch/livepatch/internal/change/diag"
	yaegi "github.com/traefik/yaegi/interp"
)

// lowerSrc is a package with what package lower (internal/rewrite/lower) lowers:
// returns, branches out and defers in the bodies of ranges over
// functions, iter types in signatures, and defers whose operands change
// after the defer statement. It imports only iter, so that its rewritten
// functions run in a bare interpreter.
const lowerSrc = `package wa

import "iter"

func values(xs []int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for _, x := range xs {
			if !yield(x) {
				return
			}
		}
	}
}

func FindIndex(seq iter.Seq[int], want int) int {
	i := 0
	for v := range seq {
		if v == want {
			return i
		}
		i++
	}
	return -1
}

func FindPair(a, b iter.Seq[int], sum int) (int, int, bool) {
	for x := range a {
		for y := range b {
			if x+y == sum {
				return x, y, true
			}
		}
	}
	return 0, 0, false
}

func FirstAbove(seq iter.Seq2[int, int], limit int) (i, v int, ok bool) {
	for i, v = range seq {
		if v > limit {
			ok = true
			return
		}
	}
	return -1, 0, false
}

func Scan(rows [][]int, stop int) (sum int, trace []int) {
rows:
	for r, row := range rows {
		for v := range values(row) {
			switch {
			case v < 0:
				trace = append(trace, -r)
				continue rows
			case v == stop:
				trace = append(trace, 100)
				break rows
			case v > 1000:
				goto overflow
			}
			sum += v
		}
		trace = append(trace, r)
	}
	return sum, trace
overflow:
	return -1, append(trace, 1000)
}

func Below(a, b iter.Seq[int]) (out []int) {
outer:
	for x := range a {
		for y := range b {
			if y > x {
				continue outer
			}
			if x*y > 20 {
				break outer
			}
			out = append(out, x*10+y)
		}
	}
	return out
}

func Retry(seq iter.Seq[int], bad int) (seen []int) {
	tries := 0
again:
	for v := range seq {
		seen = append(seen, v)
		if v == bad && tries == 0 {
			tries++
			goto again
		}
	}
	return seen
}

func note(log *[]int, v int) { *log = append(*log, v) }

func CloseAll(names iter.Seq[int], log *[]int) (n int) {
	defer func() { *log = append(*log, -1) }()
	for name := range names {
		defer func() { *log = append(*log, name) }()
		defer note(log, name*10)
		n++
	}
	*log = append(*log, 0)
	return n
}

func BreakEarly(seq iter.Seq[int]) (got []int) {
	for v := range seq {
		got = append(got, v)
		break
	}
	return got
}

func Order() (out []int) {
	for i := range 3 {
		defer func() { out = append(out, i) }()
	}
	return nil
}

func Args(xs []int) (out []int) {
	for _, s := range xs {
		defer note(&out, s)
	}
	x := 1
	defer note(&out, x)
	x = 2
	return nil
}

func Cleanup() (log []int) {
	cleanup := func() { log = append(log, 2) }
	defer cleanup()
	log = append(log, 1)
	return log
}

func Recovers(seq iter.Seq[int]) (r any) {
	for v := range seq {
		defer func() { r = recover() }()
		_ = v
	}
	return nil
}

func Assigns() (out []int) {
	for i := 0; i < 3; i++ {
		defer func() { i++; out = append(out, i) }()
	}
	return nil
}

func Nested(f func() iter.Seq[int]) int { return 0 }

type box struct{ N int }

func (b box) Get(out *[]int) { *out = append(*out, b.N) }

func notes(log *[]int, vs ...int) { *log = append(*log, vs...) }

func pairOf(out *[]int) (*[]int, int) { return out, 7 }

func run(f func()) { f() }

func Operands() (out []int) {
	b := box{1}
	defer b.Get(&out)
	b.N = 2
	xs := []int{3, 4}
	defer notes(&out, xs...)
	xs = []int{8}
	x := 5
	defer notes(&out, 6, x)
	x = 9
	defer note(pairOf(&out))
	defer run(func() { out = append(out, 100) })
	return nil
}

// DeferPanics has a deferred call that panics between others and a
// deferred recover: Go runs them all, and the recover stops the panic.
func DeferPanics() (out []any) {
	defer func() {
		if r := recover(); r != nil {
			out = append(out, "recovered", r)
		}
	}()
	defer func() { out = append(out, "second") }()
	defer boom()
	defer func() { out = append(out, "first") }()
	return nil
}

// DeferPanicsOn has a deferred call that panics and no recover: the
// others run, and the panic goes on.
func DeferPanicsOn(out *[]string) {
	defer func() { *out = append(*out, "second") }()
	defer boom()
	defer func() { *out = append(*out, "first") }()
}

// DeferRepanics recovers the body's panic in one deferred call, and a
// later one recovers the panic of one that ran in between.
func DeferRepanics() (out []any) {
	defer func() { out = append(out, "last", recover()) }()
	defer boom()
	defer func() { out = append(out, "first", recover()) }()
	panic("body")
}

func boom() { panic("b") }

func RecoverInBody(seq iter.Seq[int]) (r any) {
	defer func() {
		for range seq {
			r = recover()
		}
	}()
	panic("p")
}
`

// lowered rewrites the functions of lowerSrc named by keys and returns
// their sources by name, or the rewriting's error.
func lowered(t *testing.T, names ...string) (map[string]string, error) {
	t.Helper()
	return rewrittenFuncs(t, lowerSrc, names...)
}

// rewrittenFuncs rewrites the functions of package source src (package
// wa) named by names and returns their sources by name, or the
// rewriting's error.
func rewrittenFuncs(t *testing.T, src string, names ...string) (map[string]string, error) {
	t.Helper()
	prog, file := loadProgram(t, src)
	var keys []string
	for _, n := range names {
		keys = append(keys, "example.com/wa."+n)
	}
	ch, err := prog.rewriteChange(file, []byte(src), keys, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, n := range names {
		out[n] = ch.Funcs["example.com/wa."+n].Source
	}
	return out, nil
}

// interpret compiles sources as package wa in a bare yaegi interpreter.
func interpret(t *testing.T, sources map[string]string) *yaegi.Interpreter {
	t.Helper()
	names := make([]string, 0, len(sources))
	for n := range sources {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("package wa\nimport \"lp_go\"\n")
	for _, n := range names {
		b.WriteString(sources[n] + "\n")
	}
	i := yaegi.New(yaegi.Options{})
	// The agent's lp_go.Recovered, which the rewriting wraps around
	// recover: it unwraps yaegi's reflect.Value of an interpreted panic.
	recovered := func(r any) any {
		if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
			return v.Interface()
		}
		return r
	}
	if err := i.Use(yaegi.Exports{"lp_go/lp_go": {"Recovered": reflect.ValueOf(recovered)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval(b.String()); err != nil {
		t.Fatalf("interpreting the rewritten sources: %v\n%s", err, b.String())
	}
	return i
}

// call calls function name of the interpreter with args and returns its
// results as interfaces, or what it panicked with (a nil argument is the
// parameter's nil); it fails the test when
// the call does not return within a minute (yaegi can deadlock).
func call(t *testing.T, i *yaegi.Interpreter, name string, args ...any) (results []any, panicked any) {
	t.Helper()
	fn, err := i.Eval("wa." + name)
	if err != nil {
		t.Fatal(err)
	}
	in := make([]reflect.Value, len(args))
	for k, a := range args {
		in[k] = reflect.ValueOf(a)
		if a == nil { // the parameter's nil
			in[k] = reflect.Zero(fn.Type().In(k))
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		for _, v := range fn.Call(in) {
			results = append(results, v.Interface())
		}
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%s did not return", name)
	}
	return results, panicked
}

// seq is a compiled iterator over xs, as the agent's callers pass them.
func seq(xs ...int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for _, x := range xs {
			if !yield(x) {
				return
			}
		}
	}
}

// TestLowerRangeFuncExits runs the rewritten functions whose range-over-
// function bodies return, break or continue enclosing loops and goto out,
// and checks that they give what Go gives.
func TestLowerRangeFuncExits(t *testing.T) {
	src, err := lowered(t, "values", "FindIndex", "FindPair", "FirstAbove", "Scan", "Below", "Retry")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]*regexp.Regexp{
		"FindIndex":  regexp.MustCompile(`\{ lpR0 = i; lpBr = "r"; lpS\d+ = 1; return false \}`),
		"FindPair":   regexp.MustCompile(`lpR0 = x; lpR1 = y; lpR2 = true; lpBr = "r"`),
		"FirstAbove": regexp.MustCompile(`case "rb": return;`),
		"Scan":       regexp.MustCompile(`case "c:rows": lpBr = ""; continue lpLbl_rows; case "b:rows": lpBr = ""; break lpLbl_rows; case "g:overflow": lpBr = ""; goto lpLbl_overflow;`),
		"Below":      regexp.MustCompile(`case "c:outer": lpBr = ""; lpS\d+ = 0; return true; case "b:outer": lpBr = ""; lpS\d+ = 1; return false;`),
		"Retry":      regexp.MustCompile(`lpLbl_again:\n\t\{ var lpBr string; var lpS\d+ int; seq\(func\(v int\) bool`),
	} {
		if !want.MatchString(src[name]) {
			t.Errorf("%s: rewritten source does not match %s:\n%s", name, want, src[name])
		}
		if strings.Count(src[name], "\n") != strings.Count(declText(t, name), "\n") {
			t.Errorf("%s: the rewriting changed the number of lines:\n%s", name, src[name])
		}
	}
	i := interpret(t, src)
	pairs := func(kv ...int) func(func(int, int) bool) {
		return func(yield func(int, int) bool) {
			for k := 0; k+1 < len(kv); k += 2 {
				if !yield(kv[k], kv[k+1]) {
					return
				}
			}
		}
	}
	for _, tt := range []struct {
		name string
		args []any
		want []any
	}{
		{"FindIndex", []any{seq(5, 6, 7), 7}, []any{2}},
		{"FindIndex", []any{seq(5, 6, 7), 8}, []any{-1}},
		{"FindPair", []any{seq(1, 2, 3), seq(10, 20), 22}, []any{2, 20, true}},
		{"FindPair", []any{seq(1, 2, 3), seq(10, 20), 5}, []any{0, 0, false}},
		{"FirstAbove", []any{pairs(0, 1, 1, 5, 2, 9), 4}, []any{1, 5, true}},
		{"FirstAbove", []any{pairs(0, 1), 4}, []any{-1, 0, false}},
		{"Scan", []any{[][]int{{1, 2}, {3, -1, 100}, {4}, {5, 9, 6}, {7}}, 9}, []any{15, []int{0, -1, 2, 100}}},
		{"Scan", []any{[][]int{{1}, {2000}}, -5}, []any{-1, []int{0, 1000}}},
		{"Below", []any{seq(1, 3, 6), seq(1, 2, 3, 4)}, []any{[]int{11, 31, 32, 33, 61, 62, 63}}},
		{"Retry", []any{seq(1, 2, 3), 2}, []any{[]int{1, 2, 1, 2, 3}}},
	} {
		got, p := call(t, i, tt.name, tt.args...)
		if p != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s%v: got %v (panic %v), want %v", tt.name, tt.args[1:], got, p, tt.want)
		}
	}
}

// declText returns the text of the declaration of name in lowerSrc.
func declText(t *testing.T, name string) string {
	t.Helper()
	at := strings.Index(lowerSrc, "\nfunc "+name+"(")
	if at < 0 {
		t.Fatalf("no function %s", name)
	}
	rest := lowerSrc[at+1:]
	return rest[:strings.Index(rest, "\n}\n")+2]
}

// TestLowerRangeFuncState checks that a yield closure called after it
// returned false panics as Go does.
func TestLowerRangeFuncState(t *testing.T) {
	src, err := lowered(t, "BreakEarly")
	if err != nil {
		t.Fatal(err)
	}
	i := interpret(t, src)
	stubborn := func(yield func(int) bool) {
		yield(1)
		yield(2)
	}
	const want = "runtime error: range function continued iteration after function for loop body returned false"
	// yaegi panics with a reflect.Value of the string (the agent's Repanic
	// unwraps it); Sprint formats what it holds.
	if _, p := call(t, i, "BreakEarly", stubborn); fmt.Sprint(p) != want {
		t.Errorf("BreakEarly(stubborn): got panic %v, want %q", p, want)
	}
	if got, p := call(t, i, "BreakEarly", seq(4, 5)); p != nil || !reflect.DeepEqual(got, []any{[]int{4}}) {
		t.Errorf("BreakEarly(4, 5): got %v (panic %v), want [4]", got, p)
	}
}

// TestLowerDefers runs the rewritten functions with defers in range-over-
// function bodies, in loops, and of closures they made, and checks that
// they give what Go gives.
func TestLowerDefers(t *testing.T) {
	src, err := lowered(t, "note", "CloseAll", "Order", "Args", "Cleanup", "box.Get", "notes", "pairOf", "run", "Operands", "RecoverInBody",
		"DeferPanics", "DeferPanicsOn", "DeferRepanics", "boom", "Recovers")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"CloseAll": "lpDefers = append(lpDefers, func() func(func() any) { lpA0 := log; lpA1 := name*10; return func(lpRecover func() any) { _ = lpRecover; note(lpA0, lpA1) } }())",
		"Order":    "lpF := func() { out = append(out, i) }; return func(lpRecover func() any) { _ = lpRecover; lpF() }",
		"Args":     "lpA0 := &out; lpA1 := x; return func(lpRecover func() any) { _ = lpRecover; note(lpA0, lpA1) }",
	} {
		if !strings.Contains(src[name], want) {
			t.Errorf("%s: rewritten source lacks %q:\n%s", name, want, src[name])
		}
	}
	src["box"] = "type box struct{ N int }" // the compiled type
	i := interpret(t, src)
	var log []int
	if got, p := call(t, i, "CloseAll", seq(1, 2), &log); p != nil || !reflect.DeepEqual(got, []any{2}) || !reflect.DeepEqual(log, []int{0, 20, 2, 10, 1, -1}) {
		t.Errorf("CloseAll: got %v (panic %v), log %v; want 2, log [0 20 2 10 1 -1]", got, p, log)
	}
	if got, p := call(t, i, "DeferPanics"); p != nil || fmt.Sprint(got) != "[[first second recovered b]]" {
		t.Errorf("DeferPanics: got %v (panic %v), want [first second recovered b]", got, p)
	}
	var out []string
	if _, p := call(t, i, "DeferPanicsOn", &out); fmt.Sprint(p) != "b" || !reflect.DeepEqual(out, []string{"first", "second"}) {
		t.Errorf("DeferPanicsOn: got panic %v and %v, want panic b and [first second]", p, out)
	}
	if got, p := call(t, i, "DeferRepanics"); p != nil || fmt.Sprint(got) != "[[first body last b]]" {
		t.Errorf("DeferRepanics: got %v (panic %v), want [first body last b]", got, p)
	}
	if got, p := call(t, i, "Recovers", seq(1, 2)); p != nil || !reflect.DeepEqual(got, []any{nil}) {
		t.Errorf("Recovers: got %v (panic %v), want nil", got, p)
	}
	if _, p := call(t, i, "RecoverInBody", seq(1)); fmt.Sprint(p) != "p" {
		t.Errorf("RecoverInBody: got panic %v, want p (recover in a loop body is not called by a deferred function)", p)
	}
	for name, want := range map[string][]int{
		"Order":    {2, 1, 0},
		"Args":     {1, 3, 2, 1},
		"Cleanup":  {1, 2},
		"Operands": {100, 7, 6, 5, 3, 4, 1},
	} {
		var args []any
		if name == "Args" {
			args = []any{[]int{1, 2, 3}}
		}
		if got, p := call(t, i, name, args...); p != nil || !reflect.DeepEqual(got, []any{want}) {
			t.Errorf("%s: got %v (panic %v), want %v", name, got, p, want)
		}
	}
}

// TestLowerRefusals checks what stays refused, with the reason.
func TestLowerRefusals(t *testing.T) {
	for name, want := range map[string]string{
		"Assigns": "a function literal deferred in a loop that assigns i, a variable of the iteration",
		"Nested":  "a parameter or result of a type holding iter.Seq[int]",
	} {
		_, err := lowered(t, name)
		var ie diag.Diagnostics
		if !errors.As(err, &ie) || len(ie) == 0 || !strings.Contains(ie[0].String(), want) {
			t.Errorf("%s: got %v, want an input error saying %q", name, err, want)
		}
	}
}
