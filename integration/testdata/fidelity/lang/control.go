package lang

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// ErrOdd is returned by Half for odd numbers.
var ErrOdd = errors.New("odd")

// Half halves even n.
func Half(n int) (int, error) {
	if n%2 != 0 {
		return 0, fmt.Errorf("half %d: %w", n, ErrOdd)
	}
	return n / 2, nil
}

// Safely calls f and returns what it panicked with.
func Safely(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// Boom panics with v.
func Boom(v any) { panic(v) }

// Order records the order in which deferred calls run, each deferred in a
// loop and seeing its own iteration's variable.
func Order() (out []int) {
	for i := range 3 {
		defer func() { out = append(out, i) }()
	}
	return nil
}

// Workers sums 1..n with n goroutines and a WaitGroup.
func Workers(n int) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	total := 0
	for i := 1; i <= n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			total += i
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total
}

// Spawned sums 1..n with a goroutine per number, each started by a
// closure handed to the compiled sync.WaitGroup.Go.
func Spawned(n int) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	total := 0
	for i := 1; i <= n; i++ {
		wg.Go(func() {
			mu.Lock()
			total += i
			mu.Unlock()
		})
	}
	wg.Wait()
	return total
}

// FanOut sums the squares of 1..n, each computed by a goroutine that
// takes its number as an argument.
func FanOut(n int) int {
	results := make(chan int)
	for i := 1; i <= n; i++ {
		go func(k int, scale ...int) { results <- k * k * scale[0] }(i, 1)
	}
	total := 0
	for range n {
		total += <-results
	}
	return total
}

// First returns the first value from either channel, or def when both are
// empty.
func First(a, b <-chan int, def int) int {
	select {
	case v := <-a:
		return v
	case v := <-b:
		return v
	default:
		return def
	}
}

// Pipeline sends 1..n through a channel and sums what arrives.
func Pipeline(n int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for i := 1; i <= n; i++ {
			ch <- i
		}
	}()
	s := 0
	for v := range ch {
		s += v
	}
	return s
}

// Broadcast sends v on every channel of chs and returns how many it sent
// to (x/sync/singleflight's doCall ranges so; yaegi v0.16.1 fails at run
// time on a range with a value over channels, which the rewriter writes as
// a loop over the indexes).
func Broadcast(chs []chan int, v int) int {
	n := 0
	for _, ch := range chs {
		ch <- v
		n++
	}
	return n
}

// Notify sends on every channel of a map of channels and returns the keys
// it sent to, in order.
func Notify(subs map[string]chan string, msg string) []string {
	var sent []string
	for name, ch := range subs {
		ch <- msg + " " + name
		sent = append(sent, name)
	}
	slices.Sort(sent)
	return sent
}

// Totals ranges over a pointer to an array, with the values, and keeps a
// closure per iteration: each sees its own element.
func Totals(p *[4]int) (sum int, later []func() int) {
	for i, v := range p {
		sum += v * (i + 1)
		later = append(later, func() int { return v })
	}
	return sum, later
}

// Drain receives once from every channel of an array of channels, the
// array copied as range copies it, with the loop variables assigned.
func Drain(chs [2]chan int) int {
	var i int
	var ch chan int
	total := 0
	for i, ch = range chs {
		total += <-ch * (i + 1)
	}
	return total
}
