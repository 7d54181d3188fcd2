package terminal

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"syscall"
)

// console serializes everything the debugger writes, and keeps program
// output from mixing with a displayed prompt. It is safe for concurrent use:
// program output is written from the DAP reader goroutine while the prompt
// runs on the main one.
type console struct {
	mu     sync.Mutex
	out    io.Writer
	errw   io.Writer
	liner  bool   // the prompt is drawn by liner, which redraws on SIGWINCH
	prompt string // the prompt on screen, "" when none is displayed
	// midLine is true when program output left the cursor after text
	// without a newline.
	midLine bool
	// held collects the debugger's messages during hold, written above
	// the prompt at once.
	held *strings.Builder
}

// hold runs f, writing the debugger's messages it prints (printf) at once
// when it returns: a report printed while the prompt is displayed moves it
// once.
func (c *console) hold(f func()) {
	c.mu.Lock()
	c.held = &strings.Builder{}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		text := c.held.String()
		c.held = nil
		if c.prompt != "" {
			c.aboveLocked(c.out, text)
		} else {
			c.endProgramLineLocked()
			io.WriteString(c.out, text)
		}
		c.mu.Unlock()
	}()
	f()
}

// printf writes a message of the debugger to standard output, on a line of
// its own; above the prompt while one is displayed (the program stopped
// while the user was at the prompt).
func (c *console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held != nil {
		fmt.Fprintf(c.held, format, args...)
		return
	}
	if c.prompt != "" {
		c.aboveLocked(c.out, fmt.Sprintf(format, args...))
		return
	}
	c.endProgramLineLocked()
	fmt.Fprintf(c.out, format, args...)
}

// errorf writes "error: <message>" to standard error.
func (c *console) errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.prompt != "" {
		c.aboveLocked(c.errw, fmt.Sprintf("error: "+format+"\n", args...))
		return
	}
	c.endProgramLineLocked()
	fmt.Fprintf(c.errw, "error: "+format+"\n", args...)
}

// program writes output of the debugged program (or a console message of
// the server) to w. While a prompt is displayed, the output goes above it and
// the prompt is drawn again with what the user has typed so far.
func (c *console) program(w io.Writer, text string) {
	if text == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.prompt == "" {
		io.WriteString(w, text)
		c.midLine = !strings.HasSuffix(text, "\n")
		return
	}
	c.aboveLocked(w, text)
}

// aboveLocked writes text to w above the displayed prompt, which it draws
// again with what the user has typed so far. c.mu must be held.
func (c *console) aboveLocked(w io.Writer, text string) {
	if text == "" {
		return
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if c.liner {
		// Erase the prompt line, print, and let liner redraw its line:
		// liner refreshes prompt and buffer when the window "changes".
		io.WriteString(c.out, "\r\x1b[K")
		io.WriteString(w, text)
		syscall.Kill(syscall.Getpid(), syscall.SIGWINCH)
		return
	}
	io.WriteString(c.out, "\n")
	io.WriteString(w, text)
	io.WriteString(c.out, c.prompt)
}

// showPrompt records that p is about to be displayed; plain reports whether
// the caller must write it itself (liner writes its own).
func (c *console) showPrompt(p string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endProgramLineLocked()
	c.prompt = p
	if !c.liner {
		io.WriteString(c.out, p)
	}
}

// endPrompt takes a displayed prompt off the screen for good (the program
// ended while the user was at it), so that what follows, the shell's
// prompt, starts a clean line.
func (c *console) endPrompt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.prompt == "":
	case c.liner:
		io.WriteString(c.out, "\r\x1b[K")
	default:
		io.WriteString(c.out, "\n")
	}
	c.prompt = ""
}

// hidePrompt records that the prompt is gone (the user pressed enter).
func (c *console) hidePrompt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prompt = ""
}

// endProgramLineLocked ends a line of program output that had no newline, so
// that the debugger's own text starts on a fresh line. c.mu must be held.
func (c *console) endProgramLineLocked() {
	if c.midLine {
		io.WriteString(c.out, "\n")
		c.midLine = false
	}
}
