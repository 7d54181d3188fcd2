package repatch

import (
	"context"
	"regexp"
	"strings"
)

// A test that passes under plain go test and fails repatched may fail in
// the patchable build without any patch: the test binary is built with
// the debugger's flags (-N -l) and links the agent, so a test that times
// its code or counts its memory (nats-server's avl: "to take less than
// 1ms", "size to be < 2M") fails there whatever the patches do. Such a
// failure is not a patch's difference of behavior: the tests that fail
// repatched run again in the same binary without patches, and those that
// fail there too are reported apart (buildDifferences).

// buildDifferences runs the tests regressed names again in r's binary
// without patches and splits them: the regressions that pass there, and
// the tests that fail there too.
func buildDifferences(ctx context.Context, r heldRun, regressed []string) (regressions, build []string) {
	var tops []string
	seen := map[string]bool{}
	for _, name := range regressed {
		top, _, _ := strings.Cut(name, "/")
		if !seen[top] {
			seen[top] = true
			tops = append(tops, regexp.QuoteMeta(top))
		}
	}
	r.patches, r.native, r.tiers, r.faults = nil, nil, nil, nil
	r.args = append(append([]string(nil), r.args...), "-test.run=^("+strings.Join(tops, "|")+")$")
	res, _, _, err := runHeld(ctx, r)
	if err != nil {
		return regressed, nil
	}
	for _, name := range regressed {
		if got, ran := res.Tests[name]; ran && got != "pass" {
			build = append(build, name)
		} else {
			regressions = append(regressions, name)
		}
	}
	return regressions, build
}
