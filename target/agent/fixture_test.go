package agent

import (
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// This file plays the builder: a small "package" with dispatch prologues,
// symbols and wrappers written the way generated code writes them.

const testPkg = "example.com/lptest"

type counter struct{ n int }

type (
	lpFn0 = func(*counter, int) int
	lpFn1 = func(string) string
	lpFn2 = func(int) int
	lpFn3 = func() int
	lpFn4 = func() int
)

type codeError struct{ Code int }

func (e *codeError) Error() string { return "code error" }

var secretBase = 1000

func (c *counter) add(d int) int {
	if lpT := atomic.LoadPointer(&Current); lpT != nil && *(*uintptr)(lpT) > 0 {
		if lpF := (*[3]lpFn0)(lpT)[2]; lpF != nil {
			return lpF(c, d)
		}
	}
	c.n += d
	return c.n
}

// Inc and Value are compiled methods without prologues, for replacements
// that take method values and method expressions of a compiled type.
func (c *counter) Inc() int { c.n++; return c.n }

func (c counter) Value() int { return c.n }

// callTwice is a compiled function that takes a func value.
func callTwice(f func() int) int {
	f()
	return f()
}

// explode is a compiled function that fails with a run-time error.
// parked is where park keeps a value between two calls.
var parked any

// park keeps v and returns the value it kept before: compiled code through
// which two replacements can pass each other a value.
func park(v any) any {
	prev := parked
	parked = v
	return prev
}

func explode() int {
	var m map[string]int
	m["x"] = 1
	return 0
}

func greet(name string) string {
	if lpT := atomic.LoadPointer(&Current); lpT != nil && *(*uintptr)(lpT) > 1 {
		if lpF := (*[4]lpFn1)(lpT)[3]; lpF != nil {
			return lpF(name)
		}
	}
	return "hello " + name
}

func risky(x int) int {
	if lpT := atomic.LoadPointer(&Current); lpT != nil && *(*uintptr)(lpT) > 2 {
		if lpF := (*[5]lpFn2)(lpT)[4]; lpF != nil {
			return lpF(x)
		}
	}
	return x
}

func left() int {
	if lpT := atomic.LoadPointer(&Current); lpT != nil && *(*uintptr)(lpT) > 3 {
		if lpF := (*[6]lpFn3)(lpT)[5]; lpF != nil {
			return lpF()
		}
	}
	return 0
}

func right() int {
	if lpT := atomic.LoadPointer(&Current); lpT != nil && *(*uintptr)(lpT) > 4 {
		if lpF := (*[7]lpFn4)(lpT)[6]; lpF != nil {
			return lpF()
		}
	}
	return 0
}

func init() {
	// The standard library part of the symbol tables.
	RegisterPackage("strings", "strings", map[string]reflect.Value{
		"ToUpper": reflect.ValueOf(strings.ToUpper),
		"Builder": reflect.ValueOf((*strings.Builder)(nil)),
	})
	RegisterPackage("errors", "errors", map[string]reflect.Value{"New": reflect.ValueOf(errors.New)})
	RegisterPackage("time", "time", map[string]reflect.Value{
		"Sleep":       reflect.ValueOf(time.Sleep),
		"Millisecond": reflect.ValueOf(time.Millisecond),
	})
	RegisterPackage(testPkg, "lptest", map[string]reflect.Value{
		"counter": reflect.ValueOf((*counter)(nil)),
		// Unexported fields are reached through generated accessors.
		"lpField_counter_n": reflect.ValueOf(func(c *counter) *int { return &c.n }),
		"codeError":         reflect.ValueOf((*codeError)(nil)),
		"secretBase":        reflect.ValueOf(&secretBase).Elem(),
		"greet":             reflect.ValueOf(greet),
		"risky":             reflect.ValueOf(risky),
		"callTwice":         reflect.ValueOf(callTwice),
		"explode":           reflect.ValueOf(explode),
		"park":              reflect.ValueOf(park),
	})
	// As the builder registers them: typed wrappers, and the reflect one.
	RegisterFunc(0, testPkg+".(*counter).add", Func2_1((lpFn0)(nil)))
	RegisterFunc(1, testPkg+".greet", Wrapper(reflect.TypeOf((lpFn1)(nil))))
	// risky uses the reflect-based helper instead of a typed call.
	RegisterFunc(2, testPkg+".risky", func(fn reflect.Value) any {
		return lpFn2(func(x int) int { return Call(fn, []reflect.Value{reflect.ValueOf(x)})[0].Interface().(int) })
	})
	RegisterFunc(3, testPkg+".left", func(fn reflect.Value) any {
		f := fn.Interface().(func() int)
		return lpFn3(func() int { defer Repanic(); return f() })
	})
	RegisterFunc(4, testPkg+".right", func(fn reflect.Value) any {
		f := fn.Interface().(func() int)
		return lpFn4(func() int { defer Repanic(); return f() })
	})
}

// errText returns the text of a response's error, or "" when it has none.
func errText(e *wire.Error) string {
	if e == nil {
		return ""
	}
	return e.Error()
}
