// Livefiles is the fixture of the live patching tests of changes that
// span the files of a package: main.go reports, in a paced loop where a
// breakpoint can stop it, what words.go builds, with a file words.go
// embeds.
package main

import (
	"fmt"
	"time"
)

func line() string {
	return greet(title()) + " " + banner
}

func title() string {
	return "x"
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
