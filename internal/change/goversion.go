package change

import (
	"bufio"
	"bytes"
	"go/version"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/tools/go/packages"
)

// goVersion returns the language version a saved change of pkg is checked
// at: its module's go line as on disk, which a save may raise (the change
// may then use what the new version allows: ranging over an iterator
// function, say), else as built. It is never above the version of the Go
// that livepatch was built with, whose go/types checks the change: a go
// line above it is checked at that version. "" when the package has no
// module.
func goVersion(pkg *packages.Package) string {
	if pkg.Module == nil {
		return ""
	}
	v := ""
	if pkg.Module.GoVersion != "" {
		v = "go" + pkg.Module.GoVersion
	}
	if pkg.Module.Dir == "" {
		return v
	}
	// The module's own go.mod: the build may have used an alternate one
	// (package usermod).
	src, err := os.ReadFile(filepath.Join(pkg.Module.Dir, "go.mod"))
	if err != nil {
		return v
	}
	onDisk := goLine(src)
	if onDisk == "" || version.Compare(onDisk, v) <= 0 {
		return v
	}
	if tool := version.Lang(runtime.Version()); version.IsValid(tool) && version.Compare(onDisk, tool) > 0 {
		onDisk = tool
	}
	return onDisk
}

// goLine returns the version of the go directive of a go.mod text, as
// "go1.N", or "" when it has none that is valid.
func goLine(src []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "go" && version.IsValid("go"+f[1]) {
			return "go" + f[1]
		}
	}
	return ""
}
