// Livetypes is the fixture of the live patching tests of changes to
// types: main.go reports, in a paced loop where a breakpoint can stop it,
// what types.go builds with its interfaces and types.
package main

import (
	"fmt"
	"time"
)

func line() string {
	return pet.Speak() + " " + shouts() + " " + show(box{v: 1}.v)
}

func report(s string) {
	fmt.Println(s) // report here
}

func main() {
	for {
		report(line())
		time.Sleep(20 * time.Millisecond)
	}
}
