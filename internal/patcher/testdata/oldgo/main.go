// Command oldgo depends on its module's go version (1.21): loop variables
// are shared by all iterations, and the default GODEBUG settings are 1.21's.
package main

import (
	"fmt"
	"runtime/debug"
)

func loopvar() string {
	var fs []func() int
	for i := 0; i < 3; i++ {
		fs = append(fs, func() int { return i })
	}
	s := ""
	for _, f := range fs {
		s += fmt.Sprint(f())
	}
	return s
}

func main() {
	fmt.Println("loopvar:", loopvar())
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "DefaultGODEBUG" {
				fmt.Println("godebug:", s.Value)
			}
		}
	}
}
