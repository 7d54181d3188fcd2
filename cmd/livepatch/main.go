// Command livepatch debugs a Go program and lets you change it while it runs.
// See `livepatch help`.
package main

import (
	"os"

	"github.com/livepatch/livepatch/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
