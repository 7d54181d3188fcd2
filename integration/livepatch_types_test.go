package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLivePatchAnySpelling writes `any` for `interface{}` in a field and a
// signature, with a body change: the types are the same, so the body goes
// live (issue 13: `type of field v of box changed` was refused).
func TestLivePatchAnySpelling(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livetypes")
		thread := env.startLive(dir)
		env.checkReport(thread, "woof WOOF 1")
		editFile(t, dir, "types.go", "\tv interface{}", "\tv any",
			"func show(v interface{}) string { return fmt.Sprint(v) }", "func show(v any) string { return fmt.Sprint(v) + \"!\" }")
		env.waitConsole("patched main.show (types.go:27)")
		env.checkReport(thread, "woof WOOF 1!")
		env.Disconnect()
	})
}

// TestLivePatchInterfaceMethods changes the method sets of interfaces:
// Shouter embeds Speaker (the compiled assertion from a Speaker gives the
// same answer either way), Speaker loses Name with its only caller, and a
// type only that caller used goes: all live. Then Shouter gains a method
// that a Speaker need not have, which the patched assertion would test
// against the compiled method set: refused, with the reason.
func TestLivePatchInterfaceMethods(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livetypes")
		thread := env.startLive(dir)
		editFile(t, dir, "types.go", "type Shouter interface {\n\tShout() string\n}", "type Shouter interface {\n\tSpeaker\n\tShout() string\n}",
			"\tName() string\n}", "}",
			"return sh.Shout()", "return sh.Shout() + \"!\"",
			"type legacy func() string\n\nfunc named() string { var f legacy = pet.Name; return f() }\n", "")
		got := env.waitConsole("patched main.shouts (types.go:29)")
		for _, want := range []string{"types.go:1:9: named removed: its compiled body stays in the program, unused",
			"types.go:1:9: type legacy removed: the compiled code that used it is patched or removed"} {
			if !strings.Contains(got, want) {
				t.Errorf("save reported %q, want %q", got, want)
			}
		}
		env.checkReport(thread, "woof WOOF! 1")
		editFile(t, dir, "types.go", "\tShout() string\n}", "\tShout() string\n\tBark() string\n}")
		env.waitConsole("types.go:10:6: methods of interface Shouter changed (+Bark +Speak) and code depends on its compiled method set: patched shouts asserts to Shouter (types.go:31): edit those functions too, or restart to apply")
		env.checkReport(thread, "woof WOOF! 1")
		env.Disconnect()
	})
}

// TestLivePatchInterfaceGainedCall saves a change in which interface
// Speaker gains a method that the change also gives to dog, the compiled
// type a Speaker holds, and patched code calls it through the interface:
// the compiled method table has no such entry, so the call dispatches on
// the value's type to the method the change adds (go-chi/httprate v0.7.0:
// LimitCounter gains Config).
func TestLivePatchInterfaceGainedCall(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livetypes")
		thread := env.startLive(dir)
		editFile(t, dir, "types.go", "\tName() string\n}", "\tName() string\n\tGrowl(n int) string\n}",
			"func (dog) Shout() string { return \"WOOF\" }", "func (dog) Shout() string { return \"WOOF\" }\n\nfunc (dog) Growl(n int) string { return strings.Repeat(\"r\", n) }",
			"import \"fmt\"", "import (\n\t\"fmt\"\n\t\"strings\"\n)",
			"return sh.Shout()", "return sh.Shout() + pet.Growl(3)")
		env.waitConsole("patched main.shouts")
		env.checkReport(thread, "woof WOOFrrr 1")
		env.Disconnect()
	})
}

// TestLivePatchGoLineRaised raises the go line of go.mod and saves code
// that only the new language version allows (ranging over an iterator
// function): the change is checked at the version on disk.
func TestLivePatchGoLineRaised(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livetypes")
		thread := env.startLive(dir)
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/livetypesfixture\n\ngo 1.24\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		editFile(t, dir, "types.go", "func show(v interface{}) string { return fmt.Sprint(v) }",
			"func show(v interface{}) string {\n\ts := \"\"\n\tfor w := range func(yield func(string) bool) { _ = yield(fmt.Sprint(v)) && yield(fmt.Sprint(v)) } {\n\t\ts += w\n\t}\n\treturn s\n}")
		env.waitConsole("patched main.show")
		env.checkReport(thread, "woof WOOF 11")
		env.Disconnect()
	})
}

// TestLivePatchRemovedWaitsForUser removes a function that a function of
// another file of the package calls: the save says it waits for that
// function, and the save of its file makes both go live.
func TestLivePatchRemovedWaitsForUser(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livetypes")
		thread := env.startLive(dir)
		const shouts = "func shouts() string {\n\tif sh, ok := pet.(Shouter); ok {\n\t\treturn sh.Shout()\n\t}\n\treturn \"-\"\n}\n"
		editFile(t, dir, "types.go", shouts, "")
		got := env.waitConsole("types.go:1:9: shouts removed and compiled code uses it (main.line): edit those functions too, or restart to apply")
		if want := "livepatch: nothing of this save was applied: it waits for those functions, and goes live when package main changes them too"; !strings.Contains(got, want) {
			t.Errorf("save of types.go: %q, want %q", got, want)
		}
		editFile(t, dir, "main.go", "pet.Speak() + \" \" + shouts() + \" \"", "pet.Speak() + \" \"")
		got = env.waitConsole("patched main.line (main.go:11)")
		if want := "types.go:1:9: shouts removed: its compiled body stays in the program, unused"; !strings.Contains(got, want) {
			t.Errorf("save of main.go: %q, want %q", got, want)
		}
		env.checkReport(thread, "woof 1")
		env.Disconnect()
	})
}
