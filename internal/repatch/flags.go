package repatch

import (
	"fmt"
	"strings"
)

// testBinaryFlags are the go test flags that go to the test binary, as
// -test.NAME; the bool ones may stand alone.
var testBinaryFlags = map[string]bool{
	"run": false, "skip": false, "count": false, "timeout": false, "cpu": false,
	"parallel": false, "shuffle": false, "list": false, "bench": false, "benchtime": false,
	"short": true, "failfast": true, "benchmem": true,
}

// buildFlagNames are the go test flags that change the build; they go to
// the patchable builder too.
var buildFlagNames = map[string]bool{"tags": true, "ldflags": true, "gcflags": true, "mod": true}

// droppedFlags are go test flags that both runs honour without them: both
// are verbose and read as events.
var droppedFlags = map[string]bool{"v": true, "json": true}

// refusedFlags are go test flags livepatch test cannot honour, with the
// reason; the flags neither honoured nor listed here are refused as not
// supported.
var refusedFlags = map[string]string{
	"race":         "the patchable build does not take the race detector",
	"msan":         "the patchable build does not take the memory sanitizer",
	"asan":         "the patchable build does not take the address sanitizer",
	"cover":        "coverage of interpreted functions is not recorded",
	"covermode":    "coverage of interpreted functions is not recorded",
	"coverpkg":     "coverage of interpreted functions is not recorded",
	"coverprofile": "coverage of interpreted functions is not recorded",
	"cpuprofile":   "a profile would show the interpreter, not the code",
	"memprofile":   "a profile would show the interpreter, not the code",
	"blockprofile": "a profile would show the interpreter, not the code",
	"mutexprofile": "a profile would show the interpreter, not the code",
	"trace":        "a trace would show the interpreter, not the code",
	"c":            "the test binary is livepatch's own, held for its patches",
	"o":            "the test binary is livepatch's own, held for its patches",
	"exec":         "the test binary is run by livepatch, held for its patches",
	"fuzz":         "fuzzing runs generated inputs, which cannot be compared between the two runs",
}

// flagName returns the name of a go test flag argument ("-run=X",
// "--count", "-test.run"): without dashes, value and the "test." prefix
// that go test also accepts.
func flagName(arg string) (name, val string, hasVal bool) {
	name, val, hasVal = strings.Cut(strings.TrimLeft(arg, "-"), "=")
	return strings.TrimPrefix(name, "test."), val, hasVal
}

// TestFlag reports whether arg, which starts with "-", is a go test flag
// livepatch test takes, and whether it takes its value from the next
// argument; an error names a flag it cannot honour and why. The command
// line uses it to tell go test flags, written anywhere, from its own.
func TestFlag(arg string) (needsNext bool, err error) {
	name, _, hasVal := flagName(arg)
	isBool, isTest := testBinaryFlags[name]
	switch {
	case droppedFlags[name]:
		return false, nil
	case isTest:
		return !isBool && !hasVal, nil
	case buildFlagNames[name]:
		return !hasVal, nil
	case refusedFlags[name] != "":
		return false, fmt.Errorf("go test flag %s: %s", arg, refusedFlags[name])
	}
	return false, fmt.Errorf("go test flag %s is not supported here (livepatch test takes -run, -skip, -short, -count, -timeout, -cpu, -parallel, -failfast, -shuffle, -list, -bench, -benchtime, -benchmem, -v, -json, -tags, -ldflags, -gcflags, -mod, and their -test. forms)", arg)
}

// splitTestFlags sorts go test flags (`-run X`, `-run=X`, `-short`,
// `-test.run=X`) into the arguments of the test binary and the build
// flags. -v and -json are dropped: both runs are verbose and read as
// events. Other flags are an error that names them (TestFlag).
func splitTestFlags(args []string) (binary, build []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return nil, nil, fmt.Errorf("go test flags: %q is not a flag", a)
		}
		needsNext, err := TestFlag(a)
		if err != nil {
			return nil, nil, err
		}
		name, val, hasVal := flagName(a)
		if droppedFlags[name] {
			continue
		}
		isBool, isTest := testBinaryFlags[name]
		if needsNext {
			if i+1 == len(args) {
				return nil, nil, fmt.Errorf("go test flags: %s needs a value", a)
			}
			i++
			val, hasVal = args[i], true
		}
		switch {
		case isTest && isBool && !hasVal:
			binary = append(binary, "-test."+name)
		case isTest:
			binary = append(binary, "-test."+name+"="+val)
		default:
			build = append(build, "-"+name+"="+val)
		}
	}
	return binary, build, nil
}
