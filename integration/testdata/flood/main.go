// Flood is a fixture that prints numbered lines as fast as it can: with a
// client that stops reading, it shows whether the proxy bounds what it holds.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

func main() {
	lines := 400000
	if len(os.Args) > 1 {
		fmt.Sscan(os.Args[1], &lines)
	}
	pad := strings.Repeat("x", 100)
	w := bufio.NewWriterSize(os.Stdout, 4096)
	for i := 0; i < lines; i++ {
		fmt.Fprintf(w, "%d %s\n", i, pad)
	}
	fmt.Fprintln(w, "done")
	w.Flush()
}
