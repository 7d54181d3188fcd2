package change

import (
	"bufio"
	"bytes"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/internal/change/diag"
)

// Files that //go:embed directives embed are in the binary as the build
// read them: a patch cannot change them, and the interpreter cannot embed
// anything. A change to one, alone or with Go code, is refused with that
// reason rather than applied without it.

// embedded is a file that a //go:embed directive of a compiled file
// names, as built.
type embedded struct {
	by  string // the base name of the Go file whose directive names it
	src []byte
}

// readEmbeds finds the files that the //go:embed directives of the
// compiled files name, and reads them.
func readEmbeds(compiled map[string][]byte) map[string]embedded {
	out := map[string]embedded{}
	for file, src := range compiled {
		if !bytes.Contains(src, []byte("//go:embed")) {
			continue
		}
		dir := filepath.Dir(file)
		sc := bufio.NewScanner(bytes.NewReader(src))
		for sc.Scan() {
			rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "//go:embed ")
			if !ok {
				continue
			}
			for _, pat := range embedPatterns(rest) {
				for _, path := range embedMatches(dir, pat) {
					if b, err := os.ReadFile(path); err == nil {
						out[path] = embedded{by: filepath.Base(file), src: b}
					}
				}
			}
		}
	}
	return out
}

// embedPatterns splits the patterns of a //go:embed directive, unquoting
// quoted ones.
func embedPatterns(s string) []string {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		end := strings.IndexAny(s, " \t")
		if s[0] == '"' || s[0] == '`' {
			end = strings.IndexByte(s[1:], s[0]) + 2
		}
		if end <= 0 || end > len(s) {
			end = len(s)
		}
		pat := s[:end]
		if u, err := strconv.Unquote(pat); err == nil {
			pat = u
		}
		out = append(out, pat)
		s = s[end:]
	}
	return out
}

// embedMatches returns the files a pattern of a directive in dir embeds:
// the files it matches, and those of the directories it matches (without
// the names starting with . or _, unless the pattern starts with all:).
func embedMatches(dir, pat string) []string {
	pat, all := strings.CutPrefix(pat, "all:")
	matches, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pat)))
	var out []string
	for _, m := range matches {
		_ = filepath.WalkDir(m, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			hidden := path != m && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_"))
			switch {
			case hidden && !all && d.IsDir():
				return filepath.SkipDir
			case d.Type().IsRegular() && (!hidden || all):
				out = append(out, path)
			}
			return nil
		})
	}
	return out
}

// Embeds reports whether the build embeds the file at path.
func (b *Build) Embeds(path string) bool {
	_, ok := b.embeds[path]
	return ok
}

// EmbedDirs returns the directories of the embedded files, to watch.
func (b *Build) EmbedDirs() []string {
	dirs := map[string]bool{}
	for path := range b.embeds {
		dirs[filepath.Dir(path)] = true
	}
	return slices.Sorted(maps.Keys(dirs))
}

// EmbedChange returns the refusal of a change to path when it is a file
// that the build embeds and its text differs from the embedded one.
func (b *Build) EmbedChange(path string) (diag.Diagnostic, bool) {
	e, ok := b.embeds[path]
	if !ok {
		return diag.Diagnostic{}, false
	}
	if now, err := os.ReadFile(path); err == nil && bytes.Equal(now, e.src) {
		return diag.Diagnostic{}, false
	}
	return diag.Diagnostic{Pos: token.Position{Filename: filepath.Base(path)}, Kind: diag.RefusedRestart,
		Msg: "embedded file changed (//go:embed in " + e.by + "): the running program keeps the content it was built with"}, true
}

// embedChanges returns the refusals of the files that the compiled files
// of the package in dir embed and that changed since the build.
func (b *Build) embedChanges(dir string) diag.Diagnostics {
	var paths []string
	for path := range b.embeds {
		if f, ok := b.embeds[path]; ok && b.compiledIn(dir, f.by) {
			paths = append(paths, path)
		}
	}
	sort.Strings(paths)
	var ds diag.Diagnostics
	for _, path := range paths {
		if d, changed := b.EmbedChange(path); changed {
			ds = append(ds, d)
		}
	}
	return ds
}

// compiledIn reports whether dir holds the compiled file called base.
func (b *Build) compiledIn(dir, base string) bool {
	_, ok := b.compiled[filepath.Join(dir, base)]
	return ok
}
