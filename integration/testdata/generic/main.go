// Generic is the fixture of the live patching of generic code: a generic
// function at two instantiations and the methods of a generic type,
// reported in a paced loop; floats instantiates the function at a third
// type argument that no call runs before an edit calls it.
package main

import (
	"cmp"
	"fmt"
	"time"
)

type Stack[T any] struct {
	items  []T
	pushes int
}

func (s *Stack[T]) Push(v T) {
	s.items = append(s.items, v)
	s.pushes++
}

func (s *Stack[T]) Top() T {
	return s.items[len(s.items)-1]
}

func largest[T cmp.Ordered](xs []T) T {
	m := xs[0]
	for _, x := range xs[1:] {
		if x > m {
			m = x
		}
	}
	return m
}

func floats() float64 { return largest([]float64{1.5, 0.5}) }

func line() string {
	var s Stack[string]
	s.Push("a")
	s.Push("b")
	return fmt.Sprintf("report %v %v %v %d", largest([]int{3, 9, 4}), largest([]string{"x", "z", "y"}), s.Top(), s.pushes)
}

func main() {
	for {
		fmt.Println(line())
		time.Sleep(20 * time.Millisecond)
	}
}
