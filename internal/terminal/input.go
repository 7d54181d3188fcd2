package terminal

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-delve/liner"
	"golang.org/x/sys/unix"
)

// errAborted is returned by a lineReader when the user pressed Ctrl-C at
// the prompt.
var errAborted = errors.New("prompt aborted")

// lineReader reads command lines. ReadLine returns io.EOF at end of input
// (Ctrl-D) and errAborted for Ctrl-C; it is called from one goroutine only.
type lineReader interface {
	ReadLine(ctx context.Context, prompt string) (string, error)
	Close() error
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// linerReader reads lines with liner, which works on the process's own
// standard input and output only.
type linerReader struct {
	st      *liner.State
	con     *console
	history string // "" when history is not kept
}

// newLinerReader puts the terminal in raw mode and loads the history file.
func newLinerReader(con *console, history string, complete liner.WordCompleter) *linerReader {
	st := liner.NewLiner()
	st.SetCtrlCAborts(true)
	st.SetWordCompleter(complete)
	st.SetTabCompletionStyle(liner.TabPrints)
	r := &linerReader{st: st, con: con, history: history}
	if history != "" {
		if f, err := os.Open(history); err == nil {
			st.ReadHistory(f)
			f.Close()
		}
	}
	return r
}

// ReadLine prompts with liner; ctx is not consulted while liner waits for
// keys.
func (r *linerReader) ReadLine(ctx context.Context, prompt string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	r.con.showPrompt(prompt)
	line, err := r.st.Prompt(prompt)
	r.con.hidePrompt()
	switch {
	case errors.Is(err, liner.ErrPromptAborted):
		return "", errAborted
	case err != nil:
		return "", err
	}
	if strings.TrimSpace(line) != "" {
		r.st.AppendHistory(line)
	}
	return line, nil
}

// Close saves the history and restores the terminal mode.
func (r *linerReader) Close() error {
	if r.history != "" {
		if err := os.MkdirAll(filepath.Dir(r.history), 0o700); err == nil {
			if f, err := os.OpenFile(r.history, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
				r.st.WriteHistory(f)
				f.Close()
			}
		}
	}
	return r.st.Close()
}

// plainReader reads lines from a file that is not a terminal. A goroutine
// reads ahead so that ReadLine can give up when ctx is done.
type plainReader struct {
	con   *console
	done  chan struct{}
	lines chan string
	err   error // set before lines is closed
}

// newPlainReader starts reading lines from f.
func newPlainReader(con *console, f io.Reader) *plainReader {
	r := &plainReader{con: con, done: make(chan struct{}), lines: make(chan string)}
	go func() {
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			select {
			case r.lines <- sc.Text():
			case <-r.done:
				return
			}
		}
		r.err = sc.Err()
		if r.err == nil {
			r.err = io.EOF
		}
		close(r.lines)
	}()
	return r
}

// ReadLine writes the prompt and returns the next line.
func (r *plainReader) ReadLine(ctx context.Context, prompt string) (string, error) {
	r.con.showPrompt(prompt)
	defer r.con.hidePrompt()
	select {
	case line, ok := <-r.lines:
		if !ok {
			r.con.printf("\n")
			return "", r.err
		}
		return strings.TrimSuffix(line, "\r"), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Close stops handing out lines; the reading goroutine ends at its next
// line or at the end of its input.
func (r *plainReader) Close() error {
	close(r.done)
	return nil
}
