package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

func init() {
	register(&command{
		name:    "version",
		usage:   "",
		summary: "print livepatch's version and the versions it embeds",
		help:    "Version prints the version of livepatch, of the Delve and yaegi it embeds, and of Go.",
		run: func(ctx context.Context, env *Env, args []string) error {
			fmt.Fprintf(env.Stdout, "livepatch %s\n", version())
			for _, dep := range []string{"github.com/go-delve/delve", "github.com/traefik/yaegi", "github.com/google/go-dap"} {
				fmt.Fprintf(env.Stdout, "%s %s\n", dep, depVersion(dep))
			}
			fmt.Fprintf(env.Stdout, "built with %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	})
}

func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " " + s.Value[:12]
			}
		}
	}
	return v
}

func depVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	for _, d := range bi.Deps {
		if d.Path == path {
			return d.Version
		}
	}
	return "(not linked)"
}
