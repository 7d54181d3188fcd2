package shapes

import _ "unsafe"

// nanotime is provided by the runtime.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

// Now returns the runtime's clock.
func Now() int64 { return nanotime() }

// Pushed is made linkable by name; it keeps no prologue.
//
//go:linkname Pushed
func Pushed() int { return 3 }
