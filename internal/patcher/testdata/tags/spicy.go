//go:build spicy

package main

func flavor() string { return "spicy" }
