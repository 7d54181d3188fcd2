package lang

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

// Setting reads a variable of the process environment (an interpreter's
// sandbox would read a private, empty one).
func Setting(key, fallback string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return fallback
}

// ArgCount counts the process's arguments as they are now.
func ArgCount() int { return len(os.Args) }

// FlagDefined reports whether the program's command line flag set has a
// flag of that name.
func FlagDefined(name string) bool { return flag.CommandLine.Lookup(name) != nil }

// LogTo writes msg through package log into a buffer, with the standard
// logger's output redirected for the call.
func LogTo(msg string) string {
	var b bytes.Buffer
	w, flags := log.Writer(), log.Flags()
	log.SetOutput(&b)
	log.SetFlags(0)
	defer func() { log.SetOutput(w); log.SetFlags(flags) }()
	log.Print(msg)
	return b.String()
}

// PrintTo writes with fmt.Print while os.Stdout is f.
func PrintTo(f *os.File, msg string) {
	old := os.Stdout
	os.Stdout = f
	defer func() { os.Stdout = old }()
	fmt.Print(msg)
}
