package patcher

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/internal/usermod"
)

// maxRepairs bounds how often Build retries an instrumented build after
// removing what the compiler rejected.
const maxRepairs = 3

// compilerMessage matches a compiler error "file:line[:col]: message".
var compilerMessage = regexp.MustCompile(`^(\S+\.go):(\d+)(?::\d+)?: (.*)$`)

// repairOverlay degrades the overlay after an instrumented build failed
// although the plain program builds, so that a generator shortcoming costs
// patchability, not the build. Guided by the compiler's messages in output,
// an instrumented copy that does not compile is dropped from the overlay
// (the original file compiles instead and its functions become not
// patchable), and rejected lines of a generated symbols file (one symbol,
// import or accessor per line) are deleted. It reports whether it changed
// anything; false means it cannot help. dir is the go command's directory,
// against which it prints relative paths.
func repairOverlay(output, dir string, ov map[string]string, res *Result, log *slog.Logger) (bool, error) {
	byCopy := map[string]string{}        // overlay copy -> original path
	byGenerated := map[string][]string{} // synthetic name -> original paths
	for orig, copyPath := range ov {
		byCopy[copyPath] = orig
		g := generatedName(orig)
		byGenerated[g] = append(byGenerated[g], orig)
	}
	drop := map[string]string{} // original -> first message
	lines := map[string][]int{} // generated copy -> rejected lines
	for _, line := range strings.Split(output, "\n") {
		m := compilerMessage.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		file, msg := m[1], m[3]
		n, _ := strconv.Atoi(m[2])
		if !filepath.IsAbs(file) && !strings.HasPrefix(file, generatedPrefix) {
			file = filepath.Join(dir, file) // the go command shortens paths below its directory
		}
		var orig, copyPath string
		switch {
		case byCopy[file] != "":
			orig, copyPath = byCopy[file], file
		case ov[file] != "":
			orig, copyPath = file, ov[file]
		case byGenerated[filepath.Base(file)] != nil:
			// The generated part of an instrumented copy: the compiler
			// names it by its synthetic name only (drop every file of that
			// base name; the messages do not tell packages apart).
			for _, o := range byGenerated[filepath.Base(file)] {
				if _, ok := drop[o]; !ok {
					drop[o] = msg
				}
			}
			continue
		default:
			continue
		}
		switch filepath.Base(copyPath) {
		case symbolsFileName, stdSymbolsFileName, NativeFileName:
			lines[copyPath] = append(lines[copyPath], n)
		default:
			if _, ok := drop[orig]; !ok {
				drop[orig] = msg
			}
		}
	}
	changed := false
	for orig, msg := range drop {
		if _, ok := ov[orig]; !ok {
			continue
		}
		delete(ov, orig)
		changed = true
		log.Warn("instrumented copy does not compile; building the original", "file", orig, "error", msg)
		res.unpatch(orig, "instrumented copy does not compile: "+msg)
	}
	for copyPath, ns := range lines {
		ok, err := deleteLines(copyPath, ns)
		if err != nil {
			return false, fmt.Errorf("repair %s: %w", copyPath, err)
		}
		if ok {
			changed = true
			log.Warn("generated symbols rejected by the compiler; left out", "file", copyPath, "lines", ns)
		}
	}
	return changed, nil
}

// unpatch marks every patchable function of file as not patchable.
func (res *Result) unpatch(file, reason string) {
	for i := range res.Manifest.Functions {
		f := &res.Manifest.Functions[i]
		if f.File == file && f.Patchable {
			f.Patchable, f.Index, f.Reason = false, -1, reason
			res.Skipped = append(res.Skipped, Skip{Key: f.Key, File: f.File, Line: f.Line, Reason: reason})
		}
	}
}

// deleteLines deletes the given 1-based lines from a generated file when
// each is a self-contained line (a map entry, an import spec or a one-line
// declaration). It reports false, changing nothing, otherwise.
func deleteLines(path string, ns []int) (bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	src := strings.Split(string(data), "\n")
	del := map[int]bool{}
	for _, n := range ns {
		if n < 1 || n > len(src) {
			return false, nil
		}
		l := strings.TrimSpace(src[n-1])
		selfContained := isSymEntryLine(l) || // symbol table element
			strings.HasPrefix(l, "lp_") || // import spec
			(strings.HasPrefix(l, "func "+FieldAccessorPrefix) && strings.HasSuffix(l, "}")) ||
			nativeExportLine(l)
		if !selfContained {
			return false, nil
		}
		del[n] = true
	}
	keys := make([]int, 0, len(del))
	for n := range del {
		keys = append(keys, n)
	}
	sort.Ints(keys)
	var out bytes.Buffer
	for i, l := range src {
		if !del[i+1] {
			out.WriteString(l)
			if i < len(src)-1 {
				out.WriteByte('\n')
			}
		}
	}
	return true, usermod.WriteIfChanged(path, out.Bytes())
}
