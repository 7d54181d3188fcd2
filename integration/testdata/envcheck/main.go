// Envcheck prints what a launch configuration controls: an environment
// variable, the working directory and the arguments.
package main

import (
	"fmt"
	"os"
)

func main() {
	wd, _ := os.Getwd()
	fmt.Printf("LP_TEST_VAR=%q\n", os.Getenv("LP_TEST_VAR"))
	fmt.Printf("wd=%s\n", wd)
	fmt.Printf("args=%q\n", os.Args[1:])
}
