// Command prologue holds small functions whose calls the benchmarks in
// prologue_test.go time. Built plainly and patchably (nothing patched), the
// difference is the cost of an unpatched dispatch prologue.
package main

import "fmt"

// Point is a value with a method on a pointer receiver.
type Point struct{ X, Y int }

// Move moves p right by dx.
func (p *Point) Move(dx int) { p.X += dx }

// Sum returns the sum of p's coordinates (value receiver).
func (p Point) Sum() int { return p.X + p.Y }

func add(a, b int) int { return a + b }

func touch(p *int) { *p++ }

func nop() {}

func main() {
	p := &Point{}
	p.Move(add(1, 2))
	x := p.Sum()
	touch(&x)
	nop()
	fmt.Println(x)
}
