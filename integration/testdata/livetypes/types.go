package main

import "fmt"

type Speaker interface {
	Speak() string
	Name() string
}

// Shouter is an add-on interface of Speaker.
type Shouter interface {
	Shout() string
}

type dog struct{}

func (dog) Speak() string { return "woof" }
func (dog) Name() string  { return "rex" }
func (dog) Shout() string { return "WOOF" }

var pet Speaker = dog{}

type box struct {
	v interface{}
}

func show(v interface{}) string { return fmt.Sprint(v) }

func shouts() string {
	if sh, ok := pet.(Shouter); ok {
		return sh.Shout()
	}
	return "-"
}

// legacy and named are used by nothing but each other: a save may remove
// them.
type legacy func() string

func named() string { var f legacy = pet.Name; return f() }
