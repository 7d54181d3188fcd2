// Ifacewrap is the fixture of the interface wrapper tests: compiled
// functions that take the program's interfaces (one embedding another,
// one unexported with an unexported method naming an unexported type) and
// a standard library one, called in a paced loop whose result report
// prints, where a breakpoint can stop it.
package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Shape is an interface of the program.
type Shape interface {
	Area() int
	Name() string
}

// Scaler embeds Shape; Scale is variadic and has two results.
type Scaler interface {
	Shape
	Scale(ks ...int) (Shape, error)
}

// tagger is unexported; its method is unexported and names an unexported
// type.
type tagger interface {
	tag(l *label) string
}

type label struct{ text string }

type square struct{ side int }

func (s square) Area() int    { return s.side * s.side }
func (s square) Name() string { return "square" }

func (s square) Scale(ks ...int) (Shape, error) {
	if len(ks) == 0 {
		return nil, errors.New("no factor")
	}
	for _, k := range ks {
		s.side *= k
	}
	return s, nil
}

func (s square) tag(l *label) string { return l.text + "#" }

// describe calls a Shape's methods.
func describe(s Shape) string {
	if s == nil {
		return "none"
	}
	return fmt.Sprintf("%s:%d", s.Name(), s.Area())
}

// scaled calls a Scaler's variadic method and describes the result.
func scaled(s Scaler) string {
	t, err := s.Scale(2, 3)
	if err != nil {
		return "error: " + err.Error()
	}
	return describe(t)
}

// tagOf calls a tagger's unexported method.
func tagOf(t tagger) string { return t.tag(&label{"t"}) }

// count reads r to its end.
func count(r io.Reader) int {
	b, err := io.ReadAll(r)
	if err != nil {
		return -1
	}
	return len(b)
}

func line() string {
	return fmt.Sprintf("%s %s %s %d", describe(square{2}), scaled(square{1}), tagOf(square{}), count(strings.NewReader("ab")))
}

func report(s string) {
	fmt.Println(s) // report here
}

func main() {
	for {
		report(line())
		time.Sleep(20 * time.Millisecond)
	}
}
