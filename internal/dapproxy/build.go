package dapproxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/go-delve/delve/pkg/config"
)

// BuildRequest says what to build for a launch.
type BuildRequest struct {
	Dir      string   // directory the go command runs in
	Env      []string // the go command's whole environment
	Packages []string // the launch's program
	Output   string   // absolute path of the binary to write
	Test     bool     // build the package's test binary
	Flags    []string // the launch's buildFlags, split
}

// Builder builds debug binaries for the proxy. Build must leave no partial
// binary at req.Output when it fails, and its error must carry the build
// tool's own message (compiler errors unchanged). progress receives lines
// worth showing the user while a long build runs.
type Builder interface {
	Build(ctx context.Context, req BuildRequest, progress io.Writer) error
}

// GoBuilder builds with the go command and optimizations off, as dlv does.
type GoBuilder struct{}

// Build runs `go build` (or `go test -c`) for req.
func (GoBuilder) Build(ctx context.Context, req BuildRequest, progress io.Writer) error {
	args := GoBuildArgs(req)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = req.Dir
	cmd.Env = req.Env
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return &BuildError{Command: "go " + strings.Join(args, " "), Output: strings.TrimSpace(out.String()), Err: err}
	}
	return nil
}

// GoBuildArgs returns the go command's arguments for req, in dlv's order:
// a leading -C first, then the user's flags, then output and -gcflags.
func GoBuildArgs(req BuildRequest) []string {
	flags := req.Flags
	var args []string
	if len(flags) >= 2 && flags[0] == "-C" {
		args = append(args, flags[:2]...)
		flags = flags[2:]
	} else if len(flags) >= 1 && strings.HasPrefix(flags[0], "-C=") {
		args = append(args, flags[0])
		flags = flags[1:]
	}
	if req.Test {
		args = append(args, "test", "-c")
	} else {
		args = append(args, "build")
	}
	args = append(args, flags...)
	args = append(args, "-o", req.Output, "-gcflags", "all=-N -l")
	return append(args, req.Packages...)
}

// BuildError is a failed build: the command and what it printed.
type BuildError struct {
	Command string
	Output  string
	Err     error
}

func (e *BuildError) Error() string {
	if e.Output == "" {
		return fmt.Sprintf("%s: %v", e.Command, e.Err)
	}
	return fmt.Sprintf("%s\n%s (%v)", e.Command, e.Output, e.Err)
}

func (e *BuildError) Unwrap() error { return e.Err }

// splitBuildFlags accepts buildFlags as a launch request carries them: a
// string split like dlv's --build-flags, or an array of strings.
func splitBuildFlags(v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return config.SplitQuotedFields(v, '\''), nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf(`cannot unmarshal %v into "buildFlags" of type []string or string`, e)
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, fmt.Errorf(`cannot unmarshal %v into "buildFlags" of type []string or string`, v)
	}
}
