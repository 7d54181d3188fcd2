package main

import (
	"fmt"

	yaegi "github.com/traefik/yaegi/interp"
)

func main() {
	fmt.Println(yaegi.New(yaegi.Options{}) != nil)
}
