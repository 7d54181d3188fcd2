package patcher

import (
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Build directories are kept per module root and options (buildDirFor), so
// every project tree built once leaves one behind. pruneBuildDirs bounds
// them: it keeps the keepBuildDirs most recently used ones, and any used
// within recentBuildUse (a session of another livepatch may be running from
// it), and removes the rest. A build marks its directory used by setting
// its modification time.
const (
	keepBuildDirs  = 8
	recentBuildUse = time.Hour
)

// markUsed records that dir is in use now.
func markUsed(dir string, now time.Time) error {
	return os.Chtimes(dir, now, now)
}

// pruneBuildDirs removes the build directories under root that are neither
// among the keep most recently used nor used since now-recent, and never
// current. It returns the directories it removed; a directory it cannot
// remove is left for the next build.
func pruneBuildDirs(root, current string, keep int, recent time.Duration, now time.Time) []string {
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	type dir struct {
		path string
		used time.Time
	}
	var dirs []dir
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		dirs = append(dirs, dir{filepath.Join(root, e.Name()), info.ModTime()})
	}
	slices.SortFunc(dirs, func(a, b dir) int { return b.used.Compare(a.used) })
	var removed []string
	for i, d := range dirs {
		if i < keep || d.path == current || now.Sub(d.used) < recent {
			continue
		}
		if os.RemoveAll(d.path) == nil {
			removed = append(removed, d.path)
		}
	}
	return removed
}
