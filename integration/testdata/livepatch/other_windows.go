package main

// windowsOnly is left out of linux builds by its file name.
func windowsOnly() int { return 1 }
