package lang

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

func TestSetting(t *testing.T) {
	t.Setenv("LANG_FIXTURE_SETTING", "on")
	if got := Setting("LANG_FIXTURE_SETTING", "off"); got != "on" {
		t.Errorf("Setting: got %q, want the environment's %q", got, "on")
	}
}

func TestArgCount(t *testing.T) {
	old := os.Args
	defer func() { os.Args = old }()
	os.Args = append(os.Args[:len(os.Args):len(os.Args)], "extra")
	if got := ArgCount(); got != len(old)+1 {
		t.Errorf("ArgCount: got %d, want %d (os.Args as it is now)", got, len(old)+1)
	}
}

func TestFlagDefined(t *testing.T) {
	if !FlagDefined("test.run") {
		t.Error("FlagDefined(test.run): the program's flag set has it")
	}
	_ = flag.CommandLine
}

func TestLogTo(t *testing.T) {
	if got := LogTo("hello"); got != "hello\n" {
		t.Errorf("LogTo: got %q, want %q", got, "hello\n")
	}
}

func TestPrintTo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	PrintTo(f, "printed")
	f.Close()
	if b, _ := os.ReadFile(path); string(b) != "printed" {
		t.Errorf("PrintTo: the file has %q, want %q", b, "printed")
	}
}
