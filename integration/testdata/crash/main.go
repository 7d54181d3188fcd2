// Crash is a fixture that prints a line and then dies of a nil map write.
package main

import "fmt"

func main() {
	fmt.Println("about to crash")
	var m map[string]int
	m["boom"] = 1
}
