package main

import "fmt"

func main() { fmt.Println(twice(21), plain()) }

func plain() string { return "plain" }
