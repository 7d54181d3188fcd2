package main // the entry point

import (
	"fmt"
	"os"
	"strings"

	"example.com/basic/shapes"
)

func greet(name string) string {
	return "hello, " + name // breakpoint line
}

func main() {
	c := &shapes.Counter{}
	fmt.Println(greet("world"))
	fmt.Println(c.Add(2), c.Add(3), c.Get())
	fmt.Println(shapes.Sum(1, 2, 3), shapes.Sum())
	s, err := shapes.Pair(4, "x")
	fmt.Println(s, err)
	fmt.Println(shapes.Named(7, 8))
	fmt.Println(shapes.Generic("g"), shapes.Box[int]{V: 9}.Get())
	fmt.Println(shapes.Fast(), shapes.MayPanic())
	fmt.Println(c.Shadow(3), shapes.Apply(func(x int) int { return x * 2 }, 21))
	fmt.Println(shapes.Big, shapes.Pi2, shapes.Neg, shapes.Global, shapes.Word)
	fmt.Fprintln(os.Stdout, strings.Repeat("=", 3))
	var sh shapes.Shape = shapes.Square{Side: 2}
	fmt.Println(sh.Area(), shapes.Describe(sh))
	fmt.Println(shapes.Oneline(1), shapes.Now() > 0, shapes.Pushed(), shapes.KindOf(3))
}
