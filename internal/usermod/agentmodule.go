package usermod

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/livepatch/livepatch/target"
)

// AgentModuleDir writes the agent module (whose content package target
// owns) into a directory of the user cache named for its content, and
// returns the directory. Every build with the same agent shares it, so the
// agent compiles once rather than once per project. Concurrent calls are
// safe: they write the same bytes.
func AgentModuleDir() (string, error) {
	files, err := target.ModuleFiles()
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(files[name]))
		h.Write(files[name])
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "livepatch", "agent", hex.EncodeToString(h.Sum(nil)[:8]))
	if err := target.WriteModule(dir); err != nil {
		return "", err
	}
	return dir, nil
}
