package shapes

import "fmt"

// Shape has an area.
type Shape interface {
	Area() int
}

// Square is a Shape.
type Square struct {
	Side int
	any  interface{}
}

// Area implements Shape.
func (s Square) Area() int { return s.Side * s.Side }

// Describe returns text.
func Describe(s Shape) string {
	return fmt.Sprintf("%T:%d", s, s.Area())
}

// perimeter and reset are unexported methods: the symbols give the
// interpreter accessors for them, as for sized's size.
func (s Square) perimeter() int { return 4 * s.Side }

func (s *Square) reset(side int) { s.Side = side }

type sized interface{ size() int }

// NameOf asserts v to an interface written as a literal, which the
// builder registers for the interpreter under naming.IfaceLiteral.
func NameOf(v any) string {
	if n, ok := v.(interface{ Name() string }); ok {
		return n.Name()
	}
	return ""
}
