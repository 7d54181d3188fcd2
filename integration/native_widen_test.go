package integration

import (
	"fmt"
	"hash/crc32"
	"os"
	"strings"
	"testing"
)

// TestNativeNewImport saves changes of a non-main package that the
// interpreter cannot take, one after the other: one imports a package the
// program does not link (hash/crc32), then one a package it links only as
// a dependency of others, whose symbols the agent does not carry
// (unicode/utf8), replacing the first's native patch. Each goes live
// natively after its build, and the console says it waits for the build,
// why, and then that it is live.
func TestNativeNewImport(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		var name string
		for _, tc := range []struct {
			path, use, why string
			step           int
		}{
			{"hash/crc32", "int(crc32.ChecksumIEEE(nil))", "which the program does not link", 10},
			{"unicode/utf8", "utf8.RuneLen('a') - 1", "which the program links only as a dependency", 20},
		} {
			edited := strings.Replace(string(orig), "package lib\n", "package lib\n\nimport \""+tc.path+"\"\n", 1)
			saveEdit(t, lib, []byte(edited), "c.n += step()", fmt.Sprintf("c.n += %d*step() + %s", tc.step, tc.use))
			name = fmt.Sprintf("example.com/native/lib.(*Counter).Inc (lib.go:%d)", lineOf(t, lib, "func (c *Counter) Inc"))
			got := env.waitConsole("waiting for the native build: " + name)
			if want := "it imports " + tc.path + ", " + tc.why; !strings.Contains(got, want) {
				t.Errorf("the console says %q, want the reason %q", got, want)
			}
			env.waitConsole("native: " + name)
			env.waitCount(tc.step)
		}
		env.mustEval(0, ":patches", name+" from save, native")
		env.Disconnect()
	})
}

// TestNativeNewImportRefused saves changes that import a package the
// program does not link where the native tier cannot take them: with the
// tier off, and where plugins cannot be built. Each is refused, and the
// refusal says why the native tier does not take it.
func TestNativeNewImportRefused(t *testing.T) {
	const crc = "\n\nimport \"hash/crc32\"\n"
	t.Run("off", func(t *testing.T) {
		RunLive(t, func(t *testing.T, env *Env) {
			lib, orig := env.startNative(nil, nil)
			env.waitCount(1)
			edited := strings.Replace(string(orig), "package lib\n", "package lib"+crc, 1)
			saveEdit(t, lib, []byte(edited), "c.n += step()", "c.n += 10*step() + int(crc32.ChecksumIEEE(nil))")
			refusedWith(env, "package hash/crc32 is not linked into this program: the native tier, which could build it, is off")
			env.Disconnect()
		})
	})
	t.Run("cgo off", func(t *testing.T) {
		RunLiveNative(t, func(t *testing.T, env *Env) {
			lib, orig := env.startNative(nil, map[string]any{"env": map[string]string{"CGO_ENABLED": "0"}})
			env.waitCount(1)
			edited := strings.Replace(string(orig), "package lib\n", "package lib"+crc, 1)
			saveEdit(t, lib, []byte(edited), "c.n += step()", "c.n += 10*step() + int(crc32.ChecksumIEEE(nil))")
			env.waitConsole("waiting for the native build")
			if got := env.waitConsole("not applied: the native tier is unavailable"); !strings.Contains(got, "cgo") {
				t.Errorf("the reason does not name cgo: %q", got)
			}
			saveEdit(t, lib, []byte(edited), "c.n += step()", "c.n += 20*step() + int(crc32.ChecksumIEEE(nil))")
			refusedWith(env, "package hash/crc32 is not linked into this program: the native tier, which could build it, is unavailable")
			env.waitCount(1)
			env.Disconnect()
		})
	})
}

// TestNativeNewImportMain saves a change of package main that imports a
// package the program does not link: it goes live natively, main's own
// function calling into it.
func TestNativeNewImportMain(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		env.runLive(dir)
		edited := strings.Replace(string(orig), "import (\n", "import (\n\t\"hash/crc32\"\n", 1)
		saveEdit(t, main, []byte(edited), `return "hello " + name`, `return fmt.Sprint("crc ", crc32.ChecksumIEEE([]byte(name)), " ", name)`)
		name := fmt.Sprintf("main.greet (main.go:%d)", lineOf(t, main, "func greet"))
		env.waitConsole("waiting for the native build: " + name)
		env.waitConsole("native: " + name)
		want := fmt.Sprintf("crc %d x ", crc32.ChecksumIEEE([]byte("x")))
		env.waitOutputMatch("a line of the native greet", func(cat, text string) bool { return cat == "stdout" && strings.HasPrefix(text, want) })
		env.Disconnect()
	})
}

// refusedWith waits for the refusal of a save that says why.
func refusedWith(env *Env, why string) {
	env.T.Helper()
	if got := env.waitConsole(why); !strings.Contains(got, "nothing of this save was applied") {
		env.T.Errorf("the save was not refused: %q", got)
	}
}

// TestNativeNewDecls saves a change of a non-main package that declares
// a helper function, a type with a method and a method of a compiled
// type: it goes live interpreted, then native, with the plugin's own
// copies of what the change declares.
func TestNativeNewDecls(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		saveEdit(t, lib, orig, "func step() int { return 1 }", `func step() int { return 1 }

func (c *Counter) stride() int { return 10 }

type weight struct{ v int }

func (w weight) get() int { return w.v }

func scale(n int) int { return weight{v: n}.get() }`)
		saved, err := os.ReadFile(lib)
		if err != nil {
			t.Fatal(err)
		}
		saveEdit(t, lib, saved, "c.n += step()", "c.n += c.stride() * scale(step())")
		name := fmt.Sprintf("example.com/native/lib.(*Counter).Inc (lib.go:%d)", lineOf(t, lib, "func (c *Counter) Inc"))
		env.waitConsole("patched " + name)
		env.waitConsole("native: " + name)
		env.waitCount(10)
		env.mustEval(0, ":patches", name+" from save, native")
		env.Disconnect()
	})
}

// TestNativePromptRedefinition redefines a method of a non-main package
// at the prompt while the program runs: it goes live interpreted, then
// native, as a save does.
func TestNativePromptRedefinition(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, _ := env.startNative(nil, nil)
		env.waitCount(1)
		name := fmt.Sprintf("example.com/native/lib.(*Counter).Inc (lib.go:%d)", lineOf(t, lib, "func (c *Counter) Inc"))
		env.mustEval(0, "func (c *Counter) Inc() int { c.n += 10 * step(); return c.n }", "patched "+name)
		env.waitConsole("native: " + name)
		env.waitCount(10)
		env.mustEval(0, ":patches", name+" from prompt, differs from the file on disk, native")
		env.Disconnect()
	})
}

// TestNativeInterpreterRefuses saves changes of a non-main package that
// the interpreter cannot take, one after the other: one the agent
// refuses to compile (a struct type embedding a compiled interface, whose
// methods yaegi could not give it), then one the rewriting for the
// interpreter refuses (iter.Pull at a type argument the compiled code
// never instantiated). Each goes live natively after its build instead,
// saying why.
func TestNativeInterpreterRefuses(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		saveEdit(t, lib, orig, "func step() int { return 1 }", "func step() int { return 1 }\n\ntype boxed struct{ error }\n\nfunc (b boxed) ok() bool { return b.error == nil }")
		saved, err := os.ReadFile(lib)
		if err != nil {
			t.Fatal(err)
		}
		withIter := []byte(strings.Replace(string(saved), "package lib\n", "package lib\n\nimport \"iter\"\n", 1))
		for _, tc := range []struct {
			src          []byte
			edit, reason string
			step         int
		}{
			{saved, "if (boxed{}).ok() { c.n += 10 * step() }", "embedding a compiled interface", 10},
			{withIter, "next, stop := iter.Pull(func(yield func(int) bool) { yield(20) }); v, _ := next(); stop(); c.n += v * step()", "iter.Pull[int]", 20},
		} {
			saveEdit(t, lib, tc.src, "c.n += step()", tc.edit)
			name := fmt.Sprintf("example.com/native/lib.(*Counter).Inc (lib.go:%d)", lineOf(t, lib, "func (c *Counter) Inc"))
			got := env.waitConsole("waiting for the native build: " + name)
			if !strings.Contains(got, "the interpreter cannot take it") || !strings.Contains(got, tc.reason) {
				t.Errorf("the console does not say why the interpreter cannot take it (%s): %q", tc.reason, got)
			}
			env.waitConsole("native: " + name)
			env.waitCount(tc.step)
		}
		env.Disconnect()
	})
}
