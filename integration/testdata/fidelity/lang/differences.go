package lang

import (
	"encoding/json"
	"fmt"
)

// The known differences between interpreted and compiled values, each
// fixed or refused (docs/FIDELITY.md).

// LocalFields prints with %+v and marshals a struct type declared inside
// the function, with an unexported field: interpreted, the type is made
// with reflect.StructOf, which names the field Xy, so %+v and
// encoding/json would see Xy. It is refused and stays compiled.
func LocalFields() (string, string) {
	type point struct {
		X int
		y int
	}
	p := point{1, 2}
	b, err := json.Marshal(p)
	if err != nil {
		return "", err.Error()
	}
	return fmt.Sprintf("%+v", p), string(b)
}

// LocalFieldsPlain prints such a struct with %v, which shows no field
// names: it runs interpreted.
func LocalFieldsPlain() string {
	type point struct{ x, y int }
	return fmt.Sprint(point{1, 2}, &point{3, 4})
}

// DeferredPanics defers a call that panics between others and a deferred
// recover: Go runs them all, in order, and the recover stops the panic.
func DeferredPanics() (out []string) {
	defer func() {
		if r := recover(); r != nil {
			out = append(out, fmt.Sprint("recovered ", r))
		}
	}()
	defer func() { out = append(out, "second") }()
	defer explode()
	defer func() { out = append(out, "first") }()
	return nil
}

// explode panics.
func explode() { panic("boom") }

// usageError is a compiled error with a Usage method.
type usageError struct{}

func (usageError) Error() string { return "bad" }
func (usageError) Usage() string { return "use it well" }

// UsageOf asserts an error to an interface written as a literal
// (BurntSushi/toml's ErrorWithUsage): the interface yaegi makes of the
// literal never matches a compiled value, so the assertion names the
// literal's compiled type, which the builder registers.
func UsageOf(err error) string {
	if u, ok := err.(interface{ Usage() string }); ok {
		return u.Usage()
	}
	return "none"
}
