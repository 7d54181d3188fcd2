package main

// int twice(int x) { return 2 * x; }
import "C"

func twice(x int) int { return int(C.twice(C.int(x))) }
