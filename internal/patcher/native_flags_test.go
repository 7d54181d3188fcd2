package patcher

import (
	"slices"
	"testing"
)

// TestPluginLinkFlags checks that a plugin's build leaves DWARF
// uncompressed and keeps the user's -ldflags in either form.
func TestPluginLinkFlags(t *testing.T) {
	const gold = " -extldflags=-fuse-ld=gold"
	for _, tc := range []struct {
		in   []string
		gold bool
		want []string
	}{
		{[]string{"-gcflags=all=-N -l"}, false, []string{"-gcflags=all=-N -l", "-ldflags=-compressdwarf=false"}},
		{[]string{"-ldflags=-X main.v=1", "-trimpath"}, false, []string{"-ldflags=-X main.v=1 -compressdwarf=false", "-trimpath"}},
		{[]string{"-ldflags", "-X main.v=1"}, false, []string{"-ldflags", "-X main.v=1 -compressdwarf=false"}},
		{[]string{"-gcflags=all=-N -l"}, true, []string{"-gcflags=all=-N -l", "-ldflags=-compressdwarf=false" + gold}},
		{[]string{"-ldflags=-X main.v=1"}, true, []string{"-ldflags=-X main.v=1 -compressdwarf=false" + gold}},
		// The user's choice of external linker flags stands.
		{[]string{"-ldflags=-extldflags=-static"}, true, []string{"-ldflags=-extldflags=-static -compressdwarf=false"}},
	} {
		in := slices.Clone(tc.in)
		if got := pluginLinkFlags(in, tc.gold); !slices.Equal(got, tc.want) {
			t.Errorf("pluginLinkFlags(%q, %v) = %q, want %q", tc.in, tc.gold, got, tc.want)
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("pluginLinkFlags changed its argument: %q", in)
		}
	}
}

// TestMainGcflags checks that package main of a plugin gets the compiler
// flags the go command gives it in the host build: those of the last
// -gcflags whose pattern matches it.
func TestMainGcflags(t *testing.T) {
	const path = "example.com/m/cmd/app"
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"-gcflags=all=-N -l"}, "-N -l"},
		{[]string{"-gcflags=all=-N -l", "-gcflags=example.com/m/...=-N -l -lang=go1.22"}, "-N -l -lang=go1.22"},
		{[]string{"-gcflags=all=-N -l", "-gcflags=example.com/other/...=-B"}, "-N -l"},
		{[]string{"-gcflags", "-m", "-gcflags=all=-N -l"}, "-N -l"},
		{[]string{"-gcflags=all=-N -l", "-gcflags=-m"}, "-m"},
		{[]string{"-gcflags=all=-N -l", "-gcflags=std=-B"}, "-N -l"},
		{[]string{"-gcflags=all=-N -l", "-gcflags=example.com/m/cmd/app=-S"}, "-S"},
	} {
		got, err := mainGcflags(tc.flags, path)
		if err != nil || got != tc.want {
			t.Errorf("mainGcflags(%q) = %q, %v; want %q", tc.flags, got, err, tc.want)
		}
	}
	if _, err := mainGcflags([]string{"-gcflags=./...=-N"}, path); err == nil {
		t.Error("a relative pattern: no error")
	}
}
