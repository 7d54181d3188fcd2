// Package sub is what the main package of the fixture calls.
package sub

import "fmt"

// Run describes a run of n.
func Run(n int) string { return fmt.Sprint("run ", n) }

// Counter counts.
type Counter struct{ n int }

// Add counts one and returns the count.
func (c *Counter) Add() int { c.n++; return c.n }
