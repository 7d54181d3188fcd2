package prompt

// Replacement is a function or method declaration rewritten for the agent:
// package variables and unexported fields of compiled types are reached
// through the builder's generated accessors, as the prompt's inputs are.
type Replacement struct {
	// Source is the declaration, with the same lines as the one given.
	Source string
	// Imports are the import specs the source needs in the interpreter.
	Imports []string
}
