package tempdir

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestSweep removes the directory of an owner that has ended and keeps
// the directory of a live owner and one that names no owner.
func TestSweep(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	mine, err := New("build")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadID := owner{pid: cmd.Process.Pid}
	if s, err := startTime(deadID.pid); err == nil {
		deadID.start = s
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(os.TempDir(), Prefix+"agent-dead")
	noOwner := filepath.Join(os.TempDir(), Prefix+"bin-none")
	for _, d := range []string{dead, noOwner} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dead, ownerFile), []byte(deadID.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	Sweep()
	for dir, want := range map[string]bool{mine: true, dead: false, noOwner: true} {
		_, err := os.Stat(dir)
		if got := err == nil; got != want {
			t.Errorf("%s exists: %v, want %v (%v)", filepath.Base(dir), got, want, err)
		}
	}
}
