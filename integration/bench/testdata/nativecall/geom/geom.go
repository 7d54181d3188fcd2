// Package geom holds the trivial method the native part of the benchmark
// patches.
package geom

// Point is a point on a grid.
type Point struct{ X, Y int }

// Move moves p right by dx.
func (p *Point) Move(dx int) { p.X += dx }
