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
