// Package hostlink holds the agent's ties to the host process besides the
// protocol (package wire): the program's lifetime, which ends with the
// host's (EnvHost, Watch); the fifo through which the agent logs to the
// host (LogName, LogTo); and the hold, in which a target started with
// EnvHold waits for the host's patches before its code after the agent's
// init runs (HoldLimit, Hold, Release). Package agent's Start sets them
// up; the host reads the names (the variables, the fifo, HoldingLine). It
// imports only the standard library.
package hostlink
