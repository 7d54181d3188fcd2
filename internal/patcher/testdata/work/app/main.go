package main

import (
	"fmt"

	"example.com/lib"
)

func main() {
	fmt.Println(lib.Say("hi"))
	fmt.Println(lib.Twice(21))
}
