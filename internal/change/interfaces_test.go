package change

import (
	"strings"
	"testing"
)

// typeFiles is a package with interfaces, a struct with a field of an
// empty interface type and a type only one function uses.
var typeFiles = map[string]string{
	"t.go": `package p

import "fmt"

type Speaker interface {
	Speak() string
	Name() string
}

type Shouter interface {
	Shout() string
}

type dog struct{}

func (dog) Speak() string { return "woof" }
func (dog) Name() string  { return "rex" }
func (dog) Shout() string { return "WOOF" }
func (dog) Bark() string  { return "BARK" }

type box struct {
	v interface{}
}

func show(v interface{}) string { return fmt.Sprint(v) }

var pet Speaker = dog{}

var anything interface{} = 1

func Line() string { b := box{v: 1}; return pet.Speak() + show(b.v) }

func Shouts() string {
	if sh, ok := pet.(Shouter); ok {
		return sh.Shout()
	}
	return ""
}

func Named() string { return pet.Name() }

type legacy func() string

func Legacy() string { var f legacy = func() string { return "old" }; return f() }

type Namer interface{ Name() string }

func AsNamer() Namer { return dog{} }
`,
}

// editTypes returns t.go of typeFiles with replacements (from, to, ...).
func editTypes(t *testing.T, replacements ...string) map[string][]byte {
	t.Helper()
	src := typeFiles["t.go"]
	for i := 0; i+1 < len(replacements); i += 2 {
		if !strings.Contains(src, replacements[i]) {
			t.Fatalf("t.go has no %q", replacements[i])
		}
		src = strings.Replace(src, replacements[i], replacements[i+1], 1)
	}
	return map[string][]byte{"t.go": []byte(src)}
}

// TestPlanTypesByIdentity checks that types are compared as types, not as
// text: `any` for `interface{}` changes no field, signature or variable
// type (show's body is patched: its text changed).
func TestPlanTypesByIdentity(t *testing.T) {
	k, dir := packageChecker(t, typeFiles)
	files := editTypes(t, "\tv interface{}", "\tv any", "func show(v interface{})", "func show(v any)",
		"var anything interface{} = 1", "var anything any = 1", "pet.Speak() + show", "pet.Speak() + \"!\" + show")
	pl, err := planSave(t, k, dir, "t.go", files)
	checkPlan(t, pl, err, "", "Line,show", "t.go:29:5: anything keeps its value: its initializer ran once, at start-up; to set it now, evaluate: anything = 1")
}

// TestPlanInterfaceChanges checks the interfaces whose method set a save
// changes: live when no code depends on the compiled method set, refused
// with the reason otherwise; and a removed type.
func TestPlanInterfaceChanges(t *testing.T) {
	k, dir := packageChecker(t, typeFiles)
	const shouter = "type Shouter interface {\n\tShout() string\n}"
	const named = "func Named() string { return pet.Name() }"
	for _, tc := range []struct {
		name             string
		files            map[string][]byte
		apply, err, note string
	}{
		{"gains the methods of its asserted operand", editTypes(t, shouter, "type Shouter interface {\n\tSpeaker\n\tShout() string\n}"), "", "", ""},
		{"gains a method its operand lacks", editTypes(t, shouter, "type Shouter interface {\n\tShout() string\n\tBark() string\n}"), "", "t.go:10:6: methods of interface Shouter changed (+Bark) and code depends on its compiled method set: example.com/p.Shouts asserts to Shouter (t.go:34): edit those functions too, or restart to apply", ""},
		{"patched code calls a method it gains", editTypes(t, shouter, "type Shouter interface {\n\tSpeaker\n\tShout() string\n}", "return sh.Shout()", "return sh.Speak()"), "Shouts", "", ""},
		{"gains a method a compiled type lacks", editTypes(t, "type Namer interface{ Name() string }", "type Namer interface{ Name() string; Growl() }"), "", "t.go:46:6: interface Namer gains method Growl, which compiled type p.Speaker lacks, though it implements Namer as built (compiled code may convert it to Namer): restart to apply", ""},
		{"gains a method the change gives its implementations", editTypes(t, "type Namer interface{ Name() string }", "type Namer interface{ Name() string; Growl() }",
			"\tName() string\n}", "\tName() string\n\tGrowl()\n}", "func (dog) Bark() string  { return \"BARK\" }", "func (dog) Bark() string  { return \"BARK\" }\nfunc (dog) Growl()        {}"), "", "", ""},
		{"loses a method compiled code calls", editTypes(t, "\tName() string\n}", "}"), "", "t.go:5:6: methods of interface Speaker changed (-Name) and code depends on its compiled method set: example.com/p.Named calls Name, which it loses: edit those functions too, or restart to apply", ""},
		{"loses a method with its caller", editTypes(t, "\tName() string\n}", "}", named, "func Named() string { return \"rex\" }"), "Named", "", ""},
		{"type removed with its user", editTypes(t, "type legacy func() string\n", "", "var f legacy =", "var f func() string ="), "Legacy", "", "t.go:1:9: type legacy removed: the compiled code that used it is patched or removed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := planSave(t, k, dir, "t.go", tc.files)
			checkPlan(t, pl, err, tc.err, tc.apply, tc.note)
		})
	}
}

// TestPlanInterfaceGainedCall checks that patched code calling a method
// that an interface gains through a value of it, which compiled method
// tables lack, calls it through a dispatch on the value's type: the
// method the change adds to a compiled type through its maker, an
// exported compiled method and the interpreter's own types through an
// assertion (go-chi/httprate v0.7.0: LimitCounter gains Config, which the
// change adds to localCounter, and newRateLimiter calls it).
func TestPlanInterfaceGainedCall(t *testing.T) {
	k, dir := packageChecker(t, typeFiles)
	files := editTypes(t, "type Namer interface{ Name() string }", "type Namer interface{ Name() string; Growl(n int) string }",
		"\tName() string\n}", "\tName() string\n\tGrowl(n int) string\n}",
		"func (dog) Bark() string  { return \"BARK\" }", "func (dog) Bark() string  { return \"BARK\" }\nfunc (dog) Growl(n int) string { return \"grr\" }",
		"func Named() string { return pet.Name() }", "func Named() string { return AsNamer().Growl(2) + pet.Growl(1) }")
	pl, err := planSave(t, k, dir, "t.go", files)
	if !checkPlan(t, pl, err, "", "Named", "") {
		return
	}
	want := "func(lpX Namer) func(n int) string { switch lpV := interface{}(lpX).(type) { case dog: return lpNew_dog_Growl(lpV); case *dog: return lpNew_dog_Growl(*lpV); }; " +
		"return interface{}(lpX).(interface{ Growl(n int) string }).Growl }(AsNamer())(2)"
	if src := pl.Apply[0].Patch.Source; !strings.Contains(src, want) {
		t.Errorf("patch has no %q:\n%s", want, src)
	}
}
