package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/internal/repatch"
)

// TestRepatchNativeTier runs `livepatch test --repatch=all --tier=native`
// on three fixtures: every function is compiled into a plugin that the
// held test binary loads before its first test. The function in which the
// interpreter faults runs natively and its test passes; the function that
// asks the runtime which function runs it finds the plugin's code, which
// its test reports (a regression: it is not the compiled function); the
// tests of a package main run natively too.
func TestRepatchNativeTier(t *testing.T) {
	rep, code, stderr := runRepatch(t, "--tier=native", "./testdata/fault", "./testdata/fidelitygap", "./testdata/nativemain")
	if code != 1 || len(rep.Packages) != 3 || rep.Tier != repatch.TierNative {
		t.Fatalf("exit code %d, %d packages, tier %q: want 1, 3, native; stderr:\n%s", code, len(rep.Packages), rep.Tier, stderr)
	}
	const fixtures = "github.com/livepatch/livepatch/integration/testdata/"
	for _, p := range rep.Packages {
		if len(p.StayedInterpreted) > 0 || !slices.Equal(p.RanNative, p.Replaced) || len(p.Replaced) == 0 {
			t.Errorf("%s: replaced %q, ran natively %q, stayed interpreted %+v: want every replaced function native", p.Path, p.Replaced, p.RanNative, p.StayedInterpreted)
		}
		switch p.Path {
		case fixtures + "fault":
			if !slices.Contains(p.RanNative, fixtures+"fault.FirstInc") || len(p.Regressions) != 0 || p.Repatched.Passed != 2 {
				t.Errorf("fault: ran natively %q, regressions %q, repatched %+v: want FirstInc native and both tests passing", p.RanNative, p.Regressions, p.Repatched)
			}
		case fixtures + "fidelitygap":
			out := p.Repatched.FailOutput["TestRunsCompiled"]
			if strings.Join(p.Regressions, ",") != "TestRunsCompiled" || !strings.Contains(out, fixtures+"fidelitygap/lp_native_") {
				t.Errorf("fidelitygap: regressions %q, output %q: want TestRunsCompiled to find the plugin's code running Running", p.Regressions, out)
			}
		case fixtures + "nativemain":
			if !slices.Contains(p.RanNative, fixtures+"nativemain.(*tally).add") || len(p.Regressions) != 0 || p.Repatched.Passed != 1 {
				t.Errorf("nativemain: ran natively %q, regressions %q, repatched %+v: want (*tally).add native and TestAdd passing", p.RanNative, p.Regressions, p.Repatched)
			}
		default:
			t.Errorf("unexpected package %s", p.Path)
		}
	}
}

// TestNativeSaveInTestMode debugs a package's tests (launch mode test)
// and saves a change of a function they call: it goes live interpreted,
// then native. The plugin links the package under test with its test
// files, as the test binary does.
func TestNativeSaveInTestMode(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "native")
		lib := filepath.Join(dir, "lib", "lib.go")
		orig, err := os.ReadFile(lib)
		if err != nil {
			t.Fatal(err)
		}
		// A test of lib that prints the counter as the fixture's main does.
		loop := "package lib\n\nimport (\n\t\"fmt\"\n\t\"testing\"\n\t\"time\"\n)\n\n" +
			"func TestLoop(t *testing.T) {\n\tc, prev := &Counter{}, 0\n\tfor {\n\t\tn := c.Inc()\n" +
			"\t\tfmt.Printf(\"count %d step %d\\n\", n, n-prev)\n\t\tprev = n\n\t\ttime.Sleep(20 * time.Millisecond)\n\t}\n}\n"
		if err := os.WriteFile(filepath.Join(dir, "lib", "loop_test.go"), []byte(loop), 0o644); err != nil {
			t.Fatal(err)
		}
		env.Initialize()
		env.Launch(map[string]any{"mode": "test", "program": "./lib", "dlvCwd": dir, "outputMode": "remote", "args": []string{"-test.run", "TestLoop", "-test.v"}})
		env.WaitEvent("initialized")
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		env.waitCount(1)
		saveEdit(t, lib, orig, "c.n += step()", "c.n += 10 * step()")
		line := lineOf(t, lib, "func (c *Counter) Inc")
		env.waitCount(10)
		env.waitConsole(fmt.Sprintf("native: example.com/native/lib.(*Counter).Inc (lib.go:%d)", line))
		env.waitCount(10)
		env.Disconnect()
	})
}
