// Package dep is a dependency of the fixture's module, whose interfaces
// the root package's wrappers file wraps when the tables reach them.
package dep

// Greeter is named by the user's code.
type Greeter interface {
	Greet(name string) string
}

// Visitor is reached only through the parameter of Walk, which the user's
// code calls.
type Visitor interface {
	Visit(depth int, names ...string) (bool, error)
}

// Walk calls v once.
func Walk(v Visitor) error {
	if v == nil {
		return nil
	}
	_, err := v.Visit(0, "root")
	return err
}

// Sealed has an unexported method and Opener a method naming an
// unexported type: no package but this one can implement them, so they
// get no wrapper elsewhere.
type (
	Sealed interface{ seal() }
	Opener interface{ Open(t token) }
	token  struct{}
)

// Use takes both.
func Use(s Sealed, o Opener) bool { return s == nil && o == nil }

// Unreached is an interface no table reaches.
type Unreached interface{ Nothing() }
