package side

import "sync"

// The package variables that a change declares anew and that only the
// native tier runs (internal/native, newvars.go) live here, one per key
// (the package's path, the variable's name and its type), for as long as
// the program runs: every plugin that declares the variable gets the same
// storage, so its initializer runs once, when the first plugin that uses
// it is loaded, and a later plugin sees the value the earlier left. A
// variable that an interpreted patch declared first is shared here by the
// agent (Share), so that a plugin declaring it later takes the
// interpreter's storage, not a copy of its own.
var vars struct {
	sync.Mutex
	m map[string]any
}

// Var returns the storage of the variable key: a pointer that mk made the
// first time key was asked for. mk runs outside the table's lock, since
// an initializer may read other such variables.
func Var(key string, mk func() any) any {
	vars.Lock()
	p, ok := vars.m[key]
	vars.Unlock()
	if ok {
		return p
	}
	made := mk()
	vars.Lock()
	defer vars.Unlock()
	if p, ok := vars.m[key]; ok {
		return p // made meanwhile by another plugin's load
	}
	if vars.m == nil {
		vars.m = map[string]any{}
	}
	vars.m[key] = made
	return made
}

// Share makes p, a pointer to the storage of the variable key that the
// interpreter made, the storage later plugins get for key, unless one
// made it first.
func Share(key string, p any) {
	vars.Lock()
	defer vars.Unlock()
	if vars.m == nil {
		vars.m = map[string]any{}
	}
	if _, ok := vars.m[key]; !ok {
		vars.m[key] = p
	}
}
