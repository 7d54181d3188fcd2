// Livepkgs is the fixture of the live patching tests of changes that
// span packages: main.go reports, in a paced loop where a breakpoint can
// stop it, what package sub makes.
package main

import (
	"fmt"
	"time"

	"example.com/livepkgsfixture/sub"
)

func line() string {
	return sub.Run(1)
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

// counter is what a change that spans packages calls a new method of.
var counter sub.Counter
