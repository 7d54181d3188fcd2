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

// splitTestFlags sorts go test flags (`-run X`, `-run=X`, `-short`) into
// the arguments of the test binary and the build flags. -v and -json are
// dropped: both runs are verbose and read as events. Other flags are an
// error.
func splitTestFlags(args []string) (binary, build []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return nil, nil, fmt.Errorf("go test flags: %q is not a flag", a)
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "v" || name == "json" {
			continue
		}
		isBool, isTest := testBinaryFlags[name]
		switch {
		case isTest && isBool:
			binary = append(binary, "-test."+a[strings.LastIndex(a, "-")+1:])
			continue
		case isTest || buildFlagNames[name]:
		default:
			return nil, nil, fmt.Errorf("go test flags: %s is not supported here", a)
		}
		if !hasVal {
			if i+1 == len(args) {
				return nil, nil, fmt.Errorf("go test flags: %s needs a value", a)
			}
			i++
			val = args[i]
		}
		if isTest {
			binary = append(binary, "-test."+name+"="+val)
		} else {
			build = append(build, "-"+name+"="+val)
		}
	}
	return binary, build, nil
}
