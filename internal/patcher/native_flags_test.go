package patcher

import (
	"slices"
	"testing"
)

// TestPluginLinkFlags checks that a plugin's build leaves DWARF
// uncompressed and keeps the user's -ldflags in either form.
func TestPluginLinkFlags(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"-gcflags=all=-N -l"}, []string{"-gcflags=all=-N -l", "-ldflags=-compressdwarf=false"}},
		{[]string{"-ldflags=-X main.v=1", "-trimpath"}, []string{"-ldflags=-X main.v=1 -compressdwarf=false", "-trimpath"}},
		{[]string{"-ldflags", "-X main.v=1"}, []string{"-ldflags", "-X main.v=1 -compressdwarf=false"}},
	} {
		in := slices.Clone(tc.in)
		if got := pluginLinkFlags(in); !slices.Equal(got, tc.want) {
			t.Errorf("pluginLinkFlags(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("pluginLinkFlags changed its argument: %q", in)
		}
	}
}
