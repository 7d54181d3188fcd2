package replay

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// judgeCases are console outputs of replayed pairs and their verdicts: the
// outputs are livepatch's, copied from replays of go-httpbin, go-smtp,
// chi and rs/cors (positions and names as they were).
var judgeCases = []struct {
	name     string
	outputs  []string
	want     pairVerdict
	failures int
}{
	{
		name:    "applied, with a note and an added method",
		outputs: []string{"patched example.com/m.(*Server).Serve (server.go:85)\nserver.go:118:6: a function literal in (*Server).Serve changed: closures it made before keep their old code\nadded method (*Client).readResponse for patched code\n"},
		want:    pairVerdict{outcome: outcomeApplied, patched: 1},
	},
	{
		name: "saves that wait for a later one of the same package",
		outputs: []string{
			"client.go:537:60: opts.DeliverBy undefined (type *RcptOptions has no field or method DeliverBy)\nlivepatch: nothing of this save was applied: it goes live when package smtp type-checks\n",
			"conn.go:297:14: c.server.EnableDELIVERBY undefined (type *Server has no field or method EnableDELIVERBY)\nlivepatch: nothing of this save was applied: it waits for client.go, and goes live when package smtp type-checks\n",
			"patched github.com/emersion/go-smtp.(*Client).Rcpt (client.go:492)\n",
		},
		want: pairVerdict{outcome: outcomeApplied, patched: 1},
	},
	{
		name: "a wait that no later save ends",
		outputs: []string{
			"patched example.com/m.parseCmd (parse.go:16)\n",
			"client.go:537:60: undefined: DeliverByReturn\nlivepatch: nothing of this save was applied: it goes live when package smtp type-checks\n",
		},
		want:     pairVerdict{outcome: outcomeFailed, patched: 1, reasons: []string{"type error against another file"}},
		failures: 1,
	},
	{
		name: "a wait for edits that only a native build's outcome follows: the refusal is the verdict",
		outputs: []string{
			"client.go:50:7: constant defaultTimeout changed and compiled code reads it (m.Dial): edit those functions too, or restart to apply\nlivepatch: nothing of this save was applied: it waits for those functions, and goes live when package smtp changes them too\n",
			"native: m.Dial (client.go:58) (built in 0.9s)\n",
		},
		want: pairVerdict{outcome: outcomeRefused, reasons: []string{"constant change"}},
	},
	{
		name:    "nothing said at all",
		outputs: nil,
		want:    pairVerdict{outcome: outcomeApplied},
	},
	{
		name: "refusals of several kinds, in two saves",
		outputs: []string{
			"helpers.go:115:1: signature of mustMarshalJSON changed and code outside the functions of this file uses it: restart to apply\nresponses.go:57:2: type of field JSON of bodyResponse changed: restart to apply\nlivepatch: nothing of this save was applied\n",
			"patched example.com/m.parseCmd (parse.go:16)\n",
			"main.go:14:2: new variable buildDate (compiled code has no place for it): restart to apply\nhandlers.go:1:9: handleBytes removed: restart to apply\nserver.go:1:9: variable errTCPAndLMTP removed: restart to apply\nserver.go:1:9: type SaslServerFactory removed: restart to apply\nlivepatch: nothing of this save was applied\n",
		},
		want: pairVerdict{outcome: outcomeRefused, patched: 1,
			reasons: []string{"signature change", "field change", "package variable", "removed function", "type change"}},
	},
	{
		name: "a type error against another file, go/types' have and want lines included",
		outputs: []string{"handlers.go:106:11: undefined: discardedBodyResponse\nhandlers.go:305:42: too many arguments in call to weightedRandomChoice\n\thave ([]weightedChoice[int], func() float64)\n\twant ([]weightedChoice[T])\n" +
			"helpers.go:578:1: generic function weightedRandomChoice changed: restart to apply\nlivepatch: nothing of this save was applied\n"},
		want: pairVerdict{outcome: outcomeRefused, reasons: []string{typeErrorReason, "generic function"}},
	},
	{
		name: "new file, removed file, import, unused import, interpreter",
		outputs: []string{
			"extra.go: new file of package httpbin: restart to apply\n",
			"old.go: removed: what it declares stays in the running program until a restart; nothing applied\n",
			"conn.go:12:2: package example.com/x is not linked into this program\nconn.go:3:2: \"log/slog\" imported and not used\n12:3: x has type T, which the Go prompt cannot name (a type declared inside a function)\nlivepatch: nothing of this save was applied\n",
		},
		want: pairVerdict{outcome: outcomeRefused,
			reasons: []string{"new file", "removed file", "new import not linked", "imported and not used", "interpreter limit"}},
	},
	{
		name: "an import of a dependency, an interface gaining a method",
		outputs: []string{
			"content_charset.go:5:2: package mime is linked into this program only as a dependency, and patched code reaches only the packages the program's own code imports as built: restart to apply\nlivepatch: nothing of this save was applied\n",
			"chi.go:67:6: interface Router gains method Find, which compiled type chi.Mux lacks, though it implements Router as built (compiled code may convert it to Router): restart to apply\nlivepatch: nothing of this save was applied\n",
		},
		want: pairVerdict{outcome: outcomeRefused, reasons: []string{"new import of a dependency", "interface change"}},
	},
	{
		name: "a change across packages",
		outputs: []string{"cors.go:370:56: c.allowedHeaders.Accepts undefined (type \"github.com/rs/cors/internal\".SortedSet has no field or method Accepts)\n" +
			"cors.go:370:56: internal.SortedSet.Accepts is declared by package internal on disk, not in the build: a change is planned one package at a time: restart to apply\nlivepatch: nothing of this save was applied\n"},
		want: pairVerdict{outcome: outcomeRefused, reasons: []string{typeErrorReason, "change across packages"}},
	},
	{
		name: "livepatch failed: an agent error and a revert",
		outputs: []string{
			"patch example.com/m.f: interpreter panicked\nlivepatch: nothing of this save was applied\n",
			"handlers.go:12:1: signature of f changed: restart to apply\nlivepatch: nothing of this save was applied\n",
			"livepatch: revert failed: agent gone\n",
		},
		want:     pairVerdict{outcome: outcomeFailed, reasons: []string{"signature change"}},
		failures: 2,
	},
	{
		name: "the native tier: a change it does not cover, a build that failed, one that switched",
		outputs: []string{
			"livepatch: example.com/m.Dial (client.go:58): nothing of this save was applied: the interpreter cannot take it (client.go:130:3: a struct type with an embedded field among others), and the native tier does not cover this yet: generic function\n",
			"livepatch: waiting for the native build: example.com/m.f (a.go:3): it imports mime, which the program links only as a dependency\n",
			"livepatch: example.com/m.f (a.go:3): not applied: its native build failed: exit status 1\n",
			"livepatch: waiting for the native build: example.com/m.g (b.go:3): it imports mime, which the program links only as a dependency\n",
			"native: example.com/m.g (b.go:3) (built in 1.8s)\n",
			"patched example.com/m.h (c.go:3)\nlivepatch: example.com/m.h (c.go:3) stays interpreted: the native tier does not cover this yet: it uses package variable e, which the change declares anew, and its interpreted patch has its own\n",
		},
		want:     pairVerdict{outcome: outcomeFailed, reasons: []string{"not covered by the native tier"}, patched: 1},
		failures: 1,
	},
	{
		name:    "files the build leaves out",
		outputs: []string{"x_windows.go: not part of this build (its build constraints leave it out): nothing applied\n", "y.go: removed: it was not part of this build; nothing to apply\n"},
		want:    pairVerdict{outcome: outcomeApplied},
	},
}

// TestJudge checks the verdicts on judgeCases.
func TestJudge(t *testing.T) {
	for _, tc := range judgeCases {
		t.Run(tc.name, func(t *testing.T) {
			got := judge(tc.outputs)
			if len(got.failures) != tc.failures {
				t.Errorf("failures %q, want %d", got.failures, tc.failures)
			}
			got.failures = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("judge = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestNativeLines checks that the replay waits for every function a save
// left waiting for its native build, until a switch or a failure names it.
func TestNativeLines(t *testing.T) {
	pending := map[string]bool{}
	nativeLines("livepatch: waiting for the native build: m.f (a.go:3), m.(*T).g (b.go:9): it imports mime, which the program links only as a dependency\n", pending)
	nativeLines("livepatch: waiting for the native build: m.h (c.go:1): the interpreter cannot take it (x)\n", pending)
	nativeLines("native: m.f (a.go:3), m.(*T).g (b.go:9) (built in 1.2s)\n", pending)
	if len(pending) != 1 || !pending["m.h (c.go:1)"] {
		t.Fatalf("after a switch: pending %v, want m.h alone", pending)
	}
	nativeLines("livepatch: m.h (c.go:1): not applied: its native build failed: exit status 1\n", pending)
	if len(pending) != 0 {
		t.Errorf("after a failure: pending %v", pending)
	}
}

func TestDiffTrees(t *testing.T) {
	from, to := t.TempDir(), t.TempDir()
	write := func(root, rel, content string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct{ rel, a, b string }{
		{"go.mod", "module m\n", "module m\n"},
		{"a.go", "package m\n", "package m\n// changed\n"},
		{"same.go", "package m\n", "package m\n"},
		{"gone.go", "package m\n", ""},
		{"pkg/new.go", "", "package pkg\n"},
		{"pkg/static/index.html", "<p>", "<p>new"},
		{"a_test.go", "package m\n", "package m\n// changed\n"},
		{"testdata/x.txt", "1", "2"},
		{".github/ci.yaml", "1", "2"},
		{"cmd/tool/main.go", "package main\n", "package main\n// changed\n"},
	} {
		if f.a != "" {
			write(from, f.rel, f.a)
		}
		if f.b != "" {
			write(to, f.rel, f.b)
		}
	}
	changes, err := diffTrees(from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := []fileChange{{"a.go", changed}, {"cmd/tool/main.go", changed}, {"gone.go", removed},
		{"pkg/new.go", added}, {"pkg/static/index.html", changed}}
	if !reflect.DeepEqual(changes, want) {
		t.Fatalf("diffTrees = %v, want %v", changes, want)
	}
	saves, others := splitSaves(changes, map[string]bool{".": true, "pkg": true})
	if want := []fileChange{{"a.go", changed}, {"gone.go", removed}, {"pkg/new.go", added}}; !reflect.DeepEqual(saves, want) {
		t.Errorf("saves = %v, want %v", saves, want)
	}
	if want := []fileChange{{"cmd/tool/main.go", changed}, {"pkg/static/index.html", changed}}; !reflect.DeepEqual(others, want) {
		t.Errorf("others = %v, want %v", others, want)
	}
}

func TestRequirementChanges(t *testing.T) {
	base := "module m\n\ngo 1.22\n\nrequire example.com/a v1.0.0\n"
	for _, tc := range []struct{ to, want string }{
		{base, ""},
		{"module m\n\ngo 1.25.0\n\nrequire example.com/a v1.0.0\n", ""}, // the go line is no dependency
		{"module m\n\ngo 1.22\n\nrequire example.com/a v1.1.0\n", "-example.com/a@v1.0.0 +example.com/a@v1.1.0"},
		{base + "replace example.com/a => ../a\n", "+replace example.com/a => ../a"},
	} {
		got, err := requirementChanges([]byte(base), []byte(tc.to))
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("requirementChanges(..., %q) = %q, want %q", tc.to, got, tc.want)
		}
	}
}

func TestProbeComparison(t *testing.T) {
	fresh := []exchange{{"GET /a", "1"}, {"GET /time", "12:00"}, {"GET /b", "2"}}
	again := []exchange{{"GET /a", "1"}, {"GET /time", "12:01"}, {"GET /b", "2"}}
	stable := stableExchanges(fresh, again)
	if want := []int{0, 2}; !reflect.DeepEqual(stable, want) {
		t.Fatalf("stableExchanges = %v, want %v", stable, want)
	}
	patched := []exchange{{"GET /a", "1"}, {"GET /time", "11:00"}, {"GET /b", "3"}}
	if got, want := differing(patched, fresh, stable), []string{"GET /b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("differing = %v, want %v", got, want)
	}
	if got := differing(patched[:1], fresh, stable); !reflect.DeepEqual(got, []string{"GET /b"}) {
		t.Errorf("differing with a short probe = %v, want GET /b", got)
	}
}
