package main

import (
	_ "embed"
	"strings"
)

//go:embed banner.txt
var banner string

func greet(name string) string {
	return "hello " + name
}

func shout(s string) string { return strings.ToUpper(s) }

// spare is called by nothing: a save may remove it.
func spare() string { return "spare" }

// limit is a compiled variable that a save may change.
var limit = 3
