package patcher

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/livepatch/livepatch/internal/usermod"
)

// stateFileName names the file in a build directory that records the last
// successful build: its fingerprint and what a build on unchanged inputs
// needs to run the go command again without loading or instrumenting.
const stateFileName = "state.json"

// stateVersion changes whenever the generated files or the state's shape
// change in a way the fingerprint does not see.
const stateVersion = "livepatch-build-state-1"

// buildState is the content of a build directory's state file.
type buildState struct {
	// Fingerprint is the fingerprint of the inputs of the build.
	Fingerprint string `json:"fingerprint"`
	// Args and Env are the go command's arguments and added environment;
	// Args writes the binary to the build directory's stable output path.
	Args []string `json:"args"`
	Env  []string `json:"env"`
	// Output is the binary's path that the build chose.
	Output string `json:"output"`
	// Dirs are the directories of the user's packages.
	Dirs []string `json:"dirs"`
	// Manifest and Skipped are the build's results.
	Manifest *Manifest `json:"manifest"`
	Skipped  []Skip    `json:"skipped"`
	// Native is the build's for plugin builds (Result.Native).
	Native *NativeBuild `json:"native,omitempty"`
}

// fingerprint hashes every input that can change the overlay or the go
// command's output, except the packages outside the user modules (the go
// command sees their changes itself, and the generated files depend only
// on the user's packages): the options, the relevant environment, the
// toolchain and target platform, the running livepatch executable (whose
// generator and agent wrote the overlay), the go.mod, go.sum, go.work and
// go.work.sum files, and the names and contents of the .go files in dirs,
// the directories of the user's packages. A new import or file changes a
// file there; when a pattern can match new packages ("./..."), every
// package directory of the user modules counts. parsed holds the SHA-256
// of files as the load read them, used instead of reading them again, so
// that an edit saved during a build is not taken for the content built.
func fingerprint(mods *usermod.Modules, opts *Options, env []string, dirs []string, parsed map[string][32]byte) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%q %q %t %t %q\n", stateVersion, opts.Dir, opts.Packages, opts.Test, opts.HoldInTestMain, opts.BuildFlags)
	io.WriteString(h, mods.Toolchain)
	for _, e := range env {
		if k, _, _ := strings.Cut(e, "="); relevantEnv(k) {
			fmt.Fprintf(h, "env %q\n", e)
		}
	}
	if corruptForTest != nil {
		// A test's corrupted overlay must be neither reused nor reusable.
		fmt.Fprintf(h, "corrupted %d\n", time.Now().UnixNano())
	}
	exe, err := executableID()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "exe %s\n", exe)
	var modFiles []string
	if mods.GoWork != "" {
		modFiles = append(modFiles, mods.GoWork, mods.GoWork+".sum")
	}
	for _, root := range mods.Roots {
		modFiles = append(modFiles, filepath.Join(root, "go.mod"), filepath.Join(root, "go.sum"))
	}
	for _, f := range modFiles {
		if err := hashFile(h, f, nil); err != nil {
			return "", fmt.Errorf("fingerprint: %w", err)
		}
	}
	if matchesNewPackages(opts) {
		all, err := mods.PackageDirs()
		if err != nil {
			return "", fmt.Errorf("fingerprint: %w", err)
		}
		dirs = append(append([]string(nil), dirs...), all...)
		slices.Sort(dirs)
		dirs = slices.Compact(dirs)
	}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("fingerprint: %w", err)
		}
		fmt.Fprintf(h, "dir %q %d\n", dir, len(entries))
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".go") && !e.IsDir() {
				if err := hashFile(h, filepath.Join(dir, e.Name()), parsed); err != nil {
					return "", fmt.Errorf("fingerprint: %w", err)
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// matchesNewPackages reports whether a package pattern of opts can match
// packages that do not exist yet.
func matchesNewPackages(opts *Options) bool {
	for _, p := range opts.Packages {
		if strings.Contains(p, "...") || p == "all" {
			return true
		}
	}
	return false
}

// relevantEnv reports whether an environment variable can change the
// generated files or the build.
func relevantEnv(k string) bool {
	return strings.HasPrefix(k, "GO") || strings.HasPrefix(k, "CGO_") || k == "CC" || k == "CXX"
}

// hashFile writes the name and the SHA-256 of the content of the file at
// path to h, taking the sum from parsed when it is there; a missing file
// counts as absent, not as an error.
func hashFile(h io.Writer, path string, parsed map[string][32]byte) error {
	sum, ok := parsed[path]
	if !ok {
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(h, "absent %q\n", path)
			return nil
		}
		if err != nil {
			return err
		}
		sum = sha256.Sum256(data)
	}
	fmt.Fprintf(h, "file %q %x\n", path, sum)
	return nil
}

var (
	exeOnce sync.Once
	exeID   string
	exeErr  error
)

// executableID identifies the running executable by path, size and
// modification time: a rebuilt livepatch (with another generator or agent)
// gets another identity, so a build does not reuse the overlay of an older
// one. It is computed once per process.
func executableID() (string, error) {
	exeOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			exeErr = fmt.Errorf("fingerprint: %w", err)
			return
		}
		fi, err := os.Stat(exe)
		if err != nil {
			exeErr = fmt.Errorf("fingerprint: %w", err)
			return
		}
		exeID = fmt.Sprintf("%q %d %d", exe, fi.Size(), fi.ModTime().UnixNano())
	})
	return exeID, exeErr
}

// readState returns the state recorded in buildDir, or nil when there is
// none or it cannot be read.
func readState(buildDir string) *buildState {
	data, err := os.ReadFile(filepath.Join(buildDir, stateFileName))
	if err != nil {
		return nil
	}
	var st buildState
	if json.Unmarshal(data, &st) != nil || st.Manifest == nil || len(st.Args) == 0 {
		return nil
	}
	return &st
}

// writeState records a successful build in buildDir.
func writeState(buildDir string, st *buildState) error {
	data, err := json.MarshalIndent(st, "", "\t")
	if err != nil {
		return fmt.Errorf("write build state: %w", err)
	}
	return usermod.WriteIfChanged(filepath.Join(buildDir, stateFileName), data)
}

// removeState forgets the last build of buildDir before its overlay is
// rewritten, so that an interrupted build is never reused.
func removeState(buildDir string) error {
	if err := os.Remove(filepath.Join(buildDir, stateFileName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove build state: %w", err)
	}
	return nil
}

// stableOutput returns the path in buildDir where the go command writes
// the binary of every build, so that it finds an unchanged binary up to
// date and does not link it again.
func stableOutput(buildDir, output string) string {
	return filepath.Join(buildDir, "bin", filepath.Base(output))
}

// install puts the binary built at built and its manifest at output and
// output+ManifestSuffix, each replaced in one rename (so that a previous
// binary stays until the new one is complete). The binary is hard-linked
// when possible (the go command replaces its output rather than writing
// into it, so the link does not change with a later build) and copied
// otherwise.
func install(built, output string, manifest *Manifest) error {
	mjson, err := json.MarshalIndent(manifest, "", "\t")
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	tmpDir, err := os.MkdirTemp(filepath.Dir(output), ".livepatch-build-")
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	tmpBin := filepath.Join(tmpDir, "binary")
	if err := os.Link(built, tmpBin); err != nil {
		if err := copyFile(tmpBin, built); err != nil {
			return fmt.Errorf("install: %w", err)
		}
	}
	tmpManifest := filepath.Join(tmpDir, "manifest")
	if err := os.WriteFile(tmpManifest, mjson, 0o644); err != nil {
		return fmt.Errorf("install: %w", err)
	}
	if err := os.Rename(tmpBin, output); err != nil {
		return fmt.Errorf("install: %w", err)
	}
	if err := os.Rename(tmpManifest, output+ManifestSuffix); err != nil {
		return fmt.Errorf("install: %w", err)
	}
	return nil
}

// copyFile copies the file src to a new file dst with src's permissions.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// reuse runs the build recorded in st again: the go command on the
// previous overlay, with the binary installed at output. It reports the
// go command's failure (with its output) without interpreting it; the
// caller then builds from scratch.
func reuse(ctx context.Context, st *buildState, opts *Options, env []string, output string) error {
	var out bytes.Buffer
	if err := runGo(ctx, opts.Dir, st.Args, append(env, st.Env...), &out, nil); err != nil {
		return fmt.Errorf("go %s: %w: %s", st.Args[0], err, strings.TrimSpace(out.String()))
	}
	if opts.Progress != nil {
		opts.Progress.Write(out.Bytes())
	}
	built := st.Args[slices.Index(st.Args, "-o")+1]
	if _, err := os.Stat(built); err != nil {
		return fmt.Errorf("go %s wrote no binary: %s", st.Args[0], strings.TrimSpace(out.String()))
	}
	return install(built, output, st.Manifest)
}
