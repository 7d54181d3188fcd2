package dapproxy

import "golang.org/x/sys/unix"

// ioctlReadable asks how many bytes a pipe holds.
const ioctlReadable = unix.TIOCINQ
